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

# A three-sentence wire brief, its Spanish translation under the same credit, the same Spanish text credited
# to another agency, and an English report of the same facts written without a credit (tests/test_dedup.py).
BRIEF_EN = (
    "LISBON (Wire) - Firefighters brought a forest fire near the town of Sintra under control on Saturday "
    "after two days. About 300 people who had left their homes were allowed to return in the evening. "
    "The civil protection agency said the fire had burned some 1,200 hectares of pine forest."
)
BRIEF_ES = (
    "LISBOA (Wire) - Los bomberos controlaron el sábado un incendio forestal cerca de la localidad de "
    "Sintra tras dos días. Unas 300 personas que habían abandonado sus casas pudieron regresar por la "
    "tarde. La agencia de protección civil dijo que el fuego había quemado unas 1.200 hectáreas de pinar."
)
BRIEF_OTHER_AGENCY = BRIEF_ES.replace("(Wire)", "(Prensa)")
BRIEF_OWN = (
    "A two-day forest fire near Sintra was brought under control by firefighters on Saturday. Some 300 "
    "residents who had fled were able to go back to their homes that evening. According to civil "
    "protection, about 1,200 hectares of pine forest burned."
)
