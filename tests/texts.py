"""Texts written for the tests."""

from __future__ import annotations

# The wire text of the dedup corpus's ferry story (en-wire), rendered in Chinese sentence for sentence.
FERRY_ZH = (
    "卢加诺（通讯社）——警方表示，周日晚间一场突如其来的风暴中，一艘客轮在卢加诺湖倾覆，救援队从水中救起14人。"
    "这艘名为“切雷西奥二号”的船载有17名乘客和两名船员，从卢加诺驶往莫尔科特村，下午6点刚过便遭遇强风。"
    "截至周日深夜，仍有三名乘客失踪，潜水员于周一清晨恢复搜寻。"
    "州警方表示，这艘渡轮已于四月通过最近一次安全检查，事故原因尚不清楚。"
    "岸上的目击者称浪高超过两米，渡轮在倾覆前严重倾斜。"
    "运营方卢加诺湖航运公司已暂停湖上所有航班，恢复时间另行通知。"
    "瑞士联邦主席维奥拉·阿姆赫德表示深感震惊，并感谢救援队彻夜工作。"
)
