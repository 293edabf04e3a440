"""Command line: parse, call a stage or the store, render."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from tidings.errors import ConfigError, TidingsError
from tidings.models import feature_text, headline_text
from tidings.settings import Settings, load_settings

EXIT_OK, EXIT_FAILED_ITEMS, EXIT_ERROR = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a command a closed pipe stopped (128 + SIGPIPE)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings({"db": getattr(args, "db", None)})


# Stores a command opened, closed when it returns: a PostgreSQL connection left to the garbage collector
# warns, and a long-lived caller (tests, a notebook) would keep its pool.
_OPENED: list[Any] = []


def _open(settings: Settings) -> Any:
    from tidings.store import open_store

    store = open_store(settings.database_url)
    _OPENED.append(store)
    return store


def _store(args: argparse.Namespace) -> Any:
    return _open(_settings(args))


def _pipeline(args: argparse.Namespace) -> Any:
    from tidings.pipeline import Pipeline

    settings = _settings(args)
    return Pipeline(_open(settings), settings, translate=not getattr(args, "no_translate", False))


def _print_report(report: Any, as_json: bool) -> int:
    if as_json:
        print(_dump(report.as_dict()))
    else:
        counts = report.as_dict()
        print(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
        for outcome in report.outcomes:
            if type(outcome).__name__ == "Failed":
                print(f"  failed: {outcome.locator}: {outcome.message}", file=sys.stderr)
    return EXIT_FAILED_ITEMS if report.failed else EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from tidings.pipeline import Report

    pipeline = _pipeline(args)
    report = Report()
    items = pipeline.items(args.inputs)
    if not args.json and sys.stderr.isatty():
        from tqdm import tqdm

        items = tqdm(items, unit="doc", desc="ingest")
    pipeline.ingest_items(items, report)
    return _print_report(report, args.json)


def cmd_fetch(args: argparse.Namespace) -> int:
    return _print_report(_pipeline(args).poll(), args.json)


def cmd_sources(args: argparse.Namespace) -> int:
    from tidings.store import sources

    store = _store(args)
    if args.action == "translate":
        if not args.name or not args.mode:
            print("tidings sources translate NAME all|titles|never", file=sys.stderr)
            return EXIT_ERROR
        with store.write() as conn:
            sources.set_translate(conn, args.name, args.mode)
        print(f"{args.name}: translate {args.mode}")
        return EXIT_OK
    with store.read() as conn:
        rows = sources.list_sources(conn)
    if args.json:
        print(_dump(rows))
    for row in rows if not args.json else []:
        where = f"{row['country'] or '--'} {row['language'] or '--'}"
        print(f"{row['name']:<30} {where} {row['articles']:>6} articles")
    return EXIT_OK


def cmd_translate(args: argparse.Namespace) -> int:
    from tidings.store import translations as translation_rows
    from tidings.translation import Translation

    settings = _settings(args)
    translation = Translation(_open(settings), settings)
    if args.status:
        with translation.store.read() as conn:
            rows = translation_rows.status(conn)
        coverage = translation.router.coverage(r["language"] for r in rows if r["language"])
        # then the languages an installed engine covers that no article is in yet (on a new store, all)
        seen = {r["language"] for r in rows}
        rows += [
            {"language": lang, "articles": 0, "translated": 0, "waiting": 0}
            for lang in coverage
            if lang not in seen
        ]
        for note in translation.notes:
            print(f"note: {note}", file=sys.stderr)
        for row in rows:
            lang = row["language"] or "?"
            engine = translation.router.engine_for(lang)
            row["coverage"] = "original" if lang == "en" else coverage.get(lang, "none")
            # evidence says which sentence encoder reads the language (USE or e5)
            evidence = translation.router.reader_for({lang, "en"}) if row["coverage"] == "evidence" else None
            row["engine"] = (
                "passthrough" if lang == "en"
                else engine.name if engine
                else f"evidence ({evidence[0]})" if evidence
                else "none"
            )  # fmt: skip
        if args.json:
            print(_dump(rows))
        for row in rows if not args.json else []:
            print(
                f"{row['language'] or '?':<4} {row['coverage']:<12} {row['engine']:<22} "
                f"{row['articles']:>6} articles, {row['waiting']:>6} waiting"
            )
        return EXIT_OK
    report = translation.run(refresh=args.refresh)
    print(_dump(report.as_dict()) if args.json else f"translated {report.articles}: {dict(report.by_kind)}")
    for failure in report.failed:
        print(f"  failed: {failure}", file=sys.stderr)
    return EXIT_FAILED_ITEMS if report.failed else EXIT_OK


def _events_stage(args: argparse.Namespace) -> Any:
    from tidings.events import EventStage

    settings = _settings(args)
    return EventStage(_open(settings), settings)


def _print_event(event: dict[str, Any]) -> None:
    print(f"event {event['id']}: {headline_text(event)}")
    langs = ", ".join(event["languages"])
    print(
        f"  {event['independent_count']} independent reports, {event['copy_count']} copies, languages {langs}"
    )
    print(f"  seen {event['first_seen']} .. {event['last_seen']}")
    for m in event["members"]:
        why = ", ".join(feature_text(f) for f in (m["shared"] or [])[:6])
        copy = f" copy of {m['copy_of']}" if m["copy_of"] else ""
        source = m["source"] or "unknown source"
        print(f"  - {m['id']:>6} [{_language(m)}] {source}: {m['title_en'] or m['title']}")
        print(f"      score {m['score']:.2f}{copy}; shared {why or '-'}")
    brief = event.get("brief") or {}
    for group in (brief.get("claims") or [])[:20]:
        if group["verdict"] == "single-source" and group.get("kind") == "proposition":
            continue
        values = "; ".join(
            f"{st['source'] or 'article ' + str(st['article_id'])}: {_stated(st)} ({st['modality']})"
            for st in group["statements"]
        )
        print(f"  claim [{group['verdict']}] {group['about']}: {values}")


def _language(member: dict[str, Any]) -> str:
    """A member's language; "vi>en" for a report stored in English translation (the seeds)."""
    lang, original = member["language"], member.get("original_language")
    return f"{original}>{lang}" if original and original != lang else str(lang)


def _stated(statement: dict[str, Any], width: int = 80) -> str:
    """What a statement says: the value as written ("nearly 4 hours") where the claim is a quantity, else
    its clause, cut to `width`. The sentence's first 60 characters had hidden the values in conflict."""
    if statement.get("as_written"):
        return f'"{statement["as_written"]}"'
    said = str(statement.get("clause") or statement["text"])
    return said if len(said) <= width else said[: width - 1].rstrip() + "…"


def cmd_events(args: argparse.Namespace) -> int:
    from tidings.store import events as event_rows

    stage = _events_stage(args)
    if args.action == "list":
        with stage.store.read() as conn:
            rows = event_rows.list_events(conn, limit=args.limit)
        if args.json:
            print(_dump(rows))
        for row in rows if not args.json else []:
            langs = ",".join(row["languages"])
            print(f"{row['id']:>6} {row['article_count']:>4} art. {langs:<15} {headline_text(row)[:70]}")
        return EXIT_OK
    if args.action == "show":
        with stage.store.read() as conn:
            event = event_rows.get(conn, args.ids[0])
        if args.json:
            print(_dump(event))
        else:
            _print_event(event)
        return EXIT_OK
    if args.action == "update":
        report = stage.run()
        print(_dump(report.as_dict()))
        return EXIT_OK
    if args.action == "recluster":
        merged, split = stage.recluster()
        print(_dump({"merged": merged, "split": split}))
        return EXIT_OK
    if args.action == "move":  # ARTICLE EVENT
        stage.correct("move", article=args.ids[0], event=args.ids[1])
    elif args.action == "merge":  # INTO OTHER
        stage.correct("merge", into=args.ids[0], other=args.ids[1])
    elif args.action == "split":  # EVENT ARTICLE...
        new = stage.correct("split", event=args.ids[0], articles=args.ids[1:])
        print(f"new event {new}")
    print("recorded")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    import tempfile

    from tidings.events import compare_inputs

    with tempfile.TemporaryDirectory() as tmp:
        brief, failures = compare_inputs(args.inputs, _settings(args), f"{tmp}/compare.db")
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    if args.json:
        print(_dump(brief))
    else:
        from tidings.brief.render import render_text

        print(render_text(brief))
    return EXIT_FAILED_ITEMS if failures else EXIT_OK


def cmd_feeds(args: argparse.Namespace) -> int:
    from tidings.store import feeds

    store = _store(args)
    settings = _settings(args)
    if args.action == "add":
        with store.write() as conn:
            for url in args.urls:
                fid, created = feeds.add(
                    conn, url, interval_s=settings.feed_interval, translate=args.translate
                )
                if not created:
                    feeds.set_translate(conn, str(fid), args.translate)
                print(f"{'added' if created else 'already subscribed'}: {fid} {url}")
    elif args.action == "remove":
        with store.write() as conn:
            for feed in args.urls:
                feeds.remove(conn, feed)
                print(f"removed: {feed}")
    else:
        with store.read() as conn:
            rows = feeds.list_feeds(conn)
        if args.json:
            print(_dump(rows))
        for row in rows if not args.json else []:
            state = f"errors={row['error_count']} {row['last_error'] or ''}".strip()
            print(f"{row['id']:>4} {row['url']}  {row['title'] or ''}  {state}")
    return EXIT_OK


def cmd_articles(args: argparse.Namespace) -> int:
    from tidings.store import articles

    store = _store(args)
    with store.read() as conn:
        if args.action == "show":
            row = articles.get(conn, args.id)
            if args.json:
                print(_dump(row))
            else:
                print(f"{row['title']}\n{row['source'] or ''} · {row['published'] or ''} · {row['language']}")
                print(f"\n{row['body']}")
                for caption in row["captions"]:
                    print(f"\n[caption] {caption}")
            return EXIT_OK
        rows = articles.list_articles(conn, limit=args.limit, language=args.language, day=args.day)
    if args.json:
        print(_dump(rows))
    else:
        for row in rows:
            lang, when = row["language"] or "??", row["published"] or ""
            print(f"{row['id']:>6} {lang} {when:<25.25} {row['title'][:80]}")
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from tidings.extract import article_to_json
    from tidings.pipeline import analyse_inputs

    url_of = dict(item.split("=", 1) for item in args.url_of)
    failed = 0
    for inp, result in analyse_inputs(args.inputs, _settings(args), url_of):
        if isinstance(result, TidingsError):
            failed += 1
            obj: dict[str, Any] = {"input": inp, "error": type(result).__name__, "message": result.message}
        else:
            obj = {"input": inp, **article_to_json(result)}
        if args.json:
            print(_dump(obj))
        else:
            print(f"== {inp}\n{obj.get('title') or obj.get('message')}\n\n{obj.get('body', '')}\n")
    return EXIT_FAILED_ITEMS if failed else EXIT_OK


def cmd_errors(args: argparse.Namespace) -> int:
    from tidings.store import errors

    with _store(args).read() as conn:
        rows = errors.list_errors(conn, limit=args.limit)
    if args.json:
        print(_dump(rows))
    for row in rows if not args.json else []:
        print(f"{row['locator']}: {row['error']}: {row['message']}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from tidings.store import articles, errors, feeds

    with _store(args).read() as conn:
        stats = {
            "articles": articles.count(conn),
            "languages": dict(articles.counts_by(conn, "language")),
            "sources": dict(articles.counts_by(conn, "source")),
            "feeds": len(feeds.list_feeds(conn)),
            "errors": len(errors.list_errors(conn)),
        }
    print(_dump(stats) if args.json else "\n".join(f"{k}: {v}" for k, v in stats.items()))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    settings = _settings(args)
    if args.workers > 1:
        # Worker processes build the app themselves from the environment (the store named by TIDINGS_DB).
        os.environ["TIDINGS_DB"] = settings.database_url
        uvicorn.run(
            "tidings.web:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers
        )
        return EXIT_OK
    from tidings.web import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from tidings.service import run_service

    return int(run_service(_settings(args), host=args.host, port=args.port))


def cmd_bench(args: argparse.Namespace) -> int:
    from importlib import import_module

    module = import_module(f"tidings.bench.{args.what}")
    kwargs: dict[str, Any] = {"n": args.n} if args.n else {}
    if args.file:
        if args.what != "cluster":
            raise ConfigError("--file is for `tidings bench cluster` only")
        kwargs["file"] = args.file
    if args.store:
        if args.what != "web":
            raise ConfigError("--store is for `tidings bench web` only")
        kwargs["store_url"] = args.store
    return int(module.run(as_json=args.json, **kwargs))


def cmd_eval(args: argparse.Namespace) -> int:
    from importlib import import_module

    module_name, function = EVALS[args.what]
    function_ = getattr(import_module(f"tidings.evaluate.{module_name}"), function)
    if args.evidence and args.what != "translate":
        raise ConfigError("--evidence is for `tidings eval translate` only")
    if args.what == "translate":
        return int(function_(args.files, as_json=args.json, evidence=args.evidence))
    return int(
        function_(*args.files, as_json=args.json)
        if args.what in ("cluster", "pairs", "dedup")
        else function_(args.files, as_json=args.json)
    )


# eval name -> (module under tidings.evaluate, function)
EVALS = {
    "language": ("language", "run"),
    "extract": ("extract", "run"),
    "translate": ("translate", "run"),
    "cluster": ("cluster", "run_cluster"),
    "pairs": ("cluster", "run_pairs"),
    "dedup": ("cluster", "run_dedup"),
    "claims": ("claims", "run"),
    "copies": ("copies", "run"),
}


def build_parser() -> argparse.ArgumentParser:
    """The `tidings` argument parser."""
    parser = argparse.ArgumentParser(prog="tidings", description="Read the world's news in English.")
    parser.add_argument("--db", help="store: SQLite path or database URL (default: $TIDINGS_DB)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest files, directories, feeds, OPML, JSONL or URLs")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p.add_argument("--no-translate", action="store_true", help="leave translation for `tidings translate`")

    p = sub.add_parser("sources", help="outlets with their articles; set an outlet's translate mode")
    p.add_argument("action", choices=["list", "translate"])
    p.add_argument("name", nargs="?")
    p.add_argument("mode", nargs="?", choices=["all", "titles", "never"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("translate", help="translate waiting articles; --status: engines and queue")
    p.add_argument("--status", action="store_true", help="languages stored or covered: engine, waiting")
    p.add_argument("--refresh", action="store_true", help="re-translate what an engine upgrade outdated")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_translate)

    p = sub.add_parser("events", help="events: list, show, update, recluster; corrections move/merge/split")
    p.add_argument("action", choices=["list", "show", "update", "recluster", "move", "merge", "split"])
    p.add_argument(
        "ids",
        nargs="*",
        type=int,
        help="show ID | move ARTICLE EVENT | merge INTO OTHER | split EVENT ARTICLE...",
    )
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_events)

    p = sub.add_parser("compare", help="the brief of the given documents taken as one event")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("fetch", help="poll subscribed feeds that are due")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("feeds", help="manage feed subscriptions")
    p.add_argument("action", choices=["add", "list", "remove"])
    p.add_argument("urls", nargs="*")
    p.add_argument("--translate", choices=["all", "titles", "never"], default="all", help="with add")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_feeds)

    p = sub.add_parser("articles", help="list or show stored articles")
    p.add_argument("action", choices=["list", "show"])
    p.add_argument("id", nargs="?", type=int)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--language")
    p.add_argument("--day")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser("extract", help="extract articles without storing them")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--url-of", action="append", default=[], metavar="FILE=URL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("errors", help="list items that failed to ingest")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_errors)

    p = sub.add_parser("stats", help="counts of what is stored")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("serve", help="serve the web UI and API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="server processes (reads only; see `run`)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("run", help="the service: web server plus a scheduler that polls feeds")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("bench", help="measure speed")
    p.add_argument("what", choices=["ingest", "translate", "cluster", "brief", "web"])
    p.add_argument("-n", type=int, default=0, help="corpus size (documents)")
    p.add_argument("--file", help="cluster: stream this JSONL file's articles instead of generated ones")
    p.add_argument(
        "--store", help="web: fill this empty database (e.g. postgresql://…), not a temporary SQLite file"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("eval", help="measure accuracy on labelled data")
    p.add_argument("what", choices=sorted(EVALS))
    p.add_argument("files", nargs="*")
    p.add_argument("--json", action="store_true")
    p.add_argument("--evidence", action="store_true", help="translate: also match each source to English")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tidings` command."""
    args = build_parser().parse_args(argv)
    if args.command == "articles" and args.action == "show" and args.id is None:
        print("tidings articles show: give an article ID", file=sys.stderr)
        return EXIT_ERROR
    needs = {"show": 1, "move": 2, "merge": 2, "split": 2}
    if args.command == "events" and len(args.ids) < needs.get(args.action, 0):
        print(f"tidings events {args.action}: give {needs[args.action]} or more ids", file=sys.stderr)
        return EXIT_ERROR
    try:
        return int(args.func(args))
    except TidingsError as exc:
        print(f"tidings: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`tidings events list | head`): stop quietly, as a pipe does, and point
        # stdout at /dev/null so that the flush at exit cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    finally:
        while _OPENED:
            _OPENED.pop().close()


if __name__ == "__main__":
    sys.exit(main())
