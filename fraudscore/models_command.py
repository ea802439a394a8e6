"""`fraudscore models ...`, `fraudscore features ...` and `fraudscore api`: the model lifecycle over the admin
API. Readable tables by default, `--json` for scripts; exit 0 on success, 1 refused, 3 not found, 4 bad or
missing token, 5 API unreachable (fraudscore.api_client)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

from fraudscore.api_client import ApiClient, ApiError
from fraudscore.files import read_bytes
from fraudscore.settings import Settings

Command = Callable[[argparse.Namespace, ApiClient], Any]


def add_parsers(sub: argparse._SubParsersAction) -> None:
    api = sub.add_parser("api", help="serve the admin API (models, feature sets, status) over HTTP")
    api.set_defaults(run=cmd_api)

    models = sub.add_parser("models", help="models over the admin API").add_subparsers(dest="models_cmd", required=True)
    _command(models, "list", "every model and what is live", _models_list, [])
    _command(models, "show", "a model's versions and live aliases", _models_show, ["model_id"])
    publish = _command(models, "publish", "upload a PMML as the model's next version, live as --alias",
                       _models_publish, ["model_id", "pmml"])  # fmt: skip
    publish.add_argument("--alias", default="champion", help="champion (default), challenger, ... or none")
    publish.add_argument("--mode", choices=["active", "shadow"])
    publish.add_argument("--threshold", type=float, default=0.5)
    publish.add_argument("--event-types", default="", help="comma-separated (default: every event type)")
    publish.add_argument("--engine", default="auto", choices=["auto", "compiled", "pypmml"])
    publish.add_argument("--score-field")
    publish.add_argument("--description", default="")
    publish.add_argument("--expected-version", type=int, help="refuse unless this is the next version")
    for action, text in (("activate", "make the version the champion, deciding"),
                         ("shadow", "score without deciding (the champion turns shadow, else it becomes challenger)"),
                         ("retire", "take the version out of scoring")):  # fmt: skip
        _command(models, action, text, _version_action(action), ["model_id", "version"])
    threshold = _command(models, "threshold", "set the version's alert threshold", _models_threshold,
                         ["model_id", "version"])  # fmt: skip
    threshold.add_argument("threshold", type=float)
    _command(models, "rollback", "the champion goes back to the one before", _models_rollback, ["model_id"])
    _command(models, "retire-all", "every live version of the model stops scoring", _models_retire_all, ["model_id"])
    score = _command(models, "score", "score JSON records ad hoc (a file of one object per line, or --record)",
                     _models_score, ["model_id"])  # fmt: skip
    score.add_argument("--record", help="one JSON object")
    score.add_argument("--input", help="a JSON-lines file")
    score.add_argument("--version", type=int, help="default: the live champion")
    explain = _command(models, "explain", "why the model scores an event as it does: each input's contribution "
                       "against its baseline", _models_explain, ["model_id"])  # fmt: skip
    explain.add_argument("--event", required=True, help="a JSON file of one event: its fields and features")
    explain.add_argument("--version", type=int, help="default: the live champion")
    _command(models, "audit", "the model's changes, latest first", _models_audit, ["model_id"])

    features = sub.add_parser("features", help="feature sets over the admin API").add_subparsers(
        dest="features_cmd", required=True
    )
    _command(features, "list", "the live feature set and every version", _features_list, [])
    _command(features, "check", "validate a feature file on the API (errors as `dsl check` prints them)",
             _features_check, ["file"])  # fmt: skip
    _command(features, "deploy", "deploy a feature file: the scoring job computes it from now on",
             _features_deploy, ["file"])  # fmt: skip


def cmd_api(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api import create_app

    print(
        f"admin API on http://{settings.api.host}:{settings.api.port} (OpenAPI at /docs); store {settings.database_url}"
    )
    uvicorn.run(create_app(settings), host=settings.api.host, port=settings.api.port, log_level="warning")
    return 0


def cli_token(settings: Settings) -> str | None:
    """The token the CLI presents: FRAUDSCORE_API__TOKEN, else the first configured (the laptop default)."""
    return settings.api.token or next((t.token for t in settings.api.tokens), None)


def _command(
    sub: argparse._SubParsersAction, name: str, text: str, run: Command, positionals: Sequence[str]
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=text, description=text)
    for positional in positionals:
        parser.add_argument(positional, type=int if positional == "version" else str)
    parser.add_argument("--json", action="store_true", help="print the API's JSON")
    parser.set_defaults(run=_over_api(run))
    return parser


def _over_api(run: Command) -> Callable[[argparse.Namespace, Settings], int]:
    def over_api(args: argparse.Namespace, settings: Settings) -> int:
        client = ApiClient(settings.api.url, cli_token(settings))
        try:
            result = run(args, client)
        except ApiError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return exc.exit_code
        if isinstance(result, int):
            return result
        if args.json:
            sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
        else:
            print(result)
        return 0

    return over_api


# Each command returns the API's answer (printed as a table, or as JSON with --json) or an exit code.


def _models_list(args: argparse.Namespace, api: ApiClient) -> Any:
    models = api.get("/models")
    if args.json:
        return models
    rows = [[m["model_id"], m["latest_version"], m["versions"], _live_words(m["live"])] for m in models]
    return _Table(["MODEL", "LATEST", "VERSIONS", "LIVE"], rows, empty="no models yet")


def _models_show(args: argparse.Namespace, api: ApiClient) -> Any:
    model = api.get(f"/models/{args.model_id}")
    if args.json:
        return model
    live = {entry["version"]: f"{entry['alias']} ({entry['mode']})" for entry in model["live"]}
    rows = [[v["version"], live.get(v["version"], "-"), v["threshold"], v["schema"]["engine"], v["author"],
             _time(v["created_ms"]), v["sha256"][:12], v["description"]] for v in model["versions"]]  # fmt: skip
    return _Table(["VERSION", "LIVE", "THRESHOLD", "ENGINE", "AUTHOR", "CREATED", "SHA256", "DESCRIPTION"], rows)


def _models_publish(args: argparse.Namespace, api: ApiClient) -> Any:
    form = {"alias": args.alias, "threshold": str(args.threshold), "event_types": args.event_types,
            "engine": args.engine, "description": args.description}  # fmt: skip
    optional = {"mode": args.mode, "score_field": args.score_field, "expected_version": args.expected_version}
    form |= {name: str(value) for name, value in optional.items() if value is not None}
    pmml = read_bytes(Path(args.pmml))
    result = api.post(f"/models/{args.model_id}/versions", files={"pmml": (Path(args.pmml).name, pmml)}, data=form)
    if args.json:
        return result
    version = result["version"]
    return f"{args.model_id} v{version['version']} published: {result['change']['description']}"


def _version_action(action: str) -> Command:
    def run(args: argparse.Namespace, api: ApiClient) -> Any:
        return _change(args, api.post(f"/models/{args.model_id}/versions/{args.version}/{action}"))

    return run


def _models_threshold(args: argparse.Namespace, api: ApiClient) -> Any:
    body = {"threshold": args.threshold}
    return _change(args, api.put(f"/models/{args.model_id}/versions/{args.version}/threshold", json=body))


def _models_rollback(args: argparse.Namespace, api: ApiClient) -> Any:
    return _change(args, api.post(f"/models/{args.model_id}/rollback"))


def _models_retire_all(args: argparse.Namespace, api: ApiClient) -> Any:
    return _change(args, api.post(f"/models/{args.model_id}/retire"))


def _models_score(args: argparse.Namespace, api: ApiClient) -> Any:
    if (args.record is None) == (args.input is None):
        raise ApiError("give --record '{...}' or --input FILE.jsonl", 1)
    try:
        if args.record is not None:
            body: dict[str, Any] = {"record": orjson.loads(args.record)}
        else:
            lines = read_bytes(Path(args.input)).splitlines()
            body = {"records": [orjson.loads(line) for line in lines if line.strip()]}
    except orjson.JSONDecodeError as exc:
        raise ApiError(f"the records are not JSON: {exc}", 1) from None
    result = api.post(f"/models/{args.model_id}/score", json=body,
                      params={"version": args.version} if args.version else None)  # fmt: skip
    if args.json:
        return result
    rows = [[n, r["score"], r["decision"] or "-"] for n, r in enumerate(result["results"], 1)]
    return _Table(["RECORD", f"SCORE (v{result['version']}, {result['engine']})", "DECISION"], rows)


def _models_explain(args: argparse.Namespace, api: ApiClient) -> Any:
    try:
        record = orjson.loads(read_bytes(Path(args.event)))
    except orjson.JSONDecodeError as exc:
        raise ApiError(f"{args.event} is not JSON: {exc}", 1) from None
    if not isinstance(record, dict):
        raise ApiError(f"{args.event} must hold one JSON object (the event's fields and features)", 1)
    result = api.post(f"/models/{args.model_id}/explain", json={"record": record},
                      params={"version": args.version} if args.version else None)  # fmt: skip
    return result if args.json else explanation_text(result)


def explanation_text(result: dict[str, Any]) -> str:
    """An explanation as people read it: the score, then each input's contribution, largest first."""
    lines = [f"{result['model_id']} v{result['version']} ({result['engine']}): score {people(result['score'])}, "
             f"{result['decision']} (threshold {people(result['threshold'])})"]  # fmt: skip
    if result["baseline_score"] is not None:
        lines.append(f"an event with every input at its baseline scores {people(result['baseline_score'])}")
    if result["reason_codes"]:
        lines.append(f"the model's reason codes: {', '.join(result['reason_codes'])}")
    rows = [[c["input"], people(c["value"]), people(c["baseline"]), signed(c["contribution"]), c["baseline_source"]]
            for c in result["contributions"]]  # fmt: skip
    lines.append(str(_Table(["INPUT", "VALUE", "BASELINE", "CONTRIBUTION", "BASELINE FROM"], rows)))
    if result["without_baseline"]:
        lines.append(f"no baseline, not explained: {', '.join(result['without_baseline'])}")
    if result["not_in_record"]:
        lines.append(f"not in the event, explained as missing: {', '.join(result['not_in_record'])}")
    lines.append("a contribution is the score minus the score with that input alone at its baseline: "
                 "one at a time, local to this event, not a cause")  # fmt: skip
    return "\n".join(lines)


def people(value: Any) -> str:
    """A value rounded for people: 4 significant digits, thousands grouped.

    >>> [people(v) for v in (1161.0712, 0.27130445, 42, None, True, "NL")]
    ['1,161.07', '0.2713', '42', 'missing', 'true', 'NL']
    """
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.2f}"
        return f"{value:.4g}"
    return str(value)


def signed(value: float | None) -> str:
    """A contribution with its sign.

    >>> signed(0.4123), signed(-0.0312), signed(0.0), signed(None)
    ('+0.412', '-0.0312', '0', 'n/a')
    """
    if value is None:
        return "n/a"
    if value == 0:
        return "0"
    return f"{value:+.3g}"


def _models_audit(args: argparse.Namespace, api: ApiClient) -> Any:
    entries = api.get(f"/models/{args.model_id}/audit")
    if args.json:
        return entries
    rows = [[_time(e["at_ms"]), e["actor"], e["action"], e["version"] or "-", e["seq"] if e["seq"] is not None else "-",
             orjson.dumps(e["details"]).decode()] for e in entries]  # fmt: skip
    return _Table(["WHEN", "WHO", "ACTION", "VERSION", "SEQ", "DETAILS"], rows)


def _features_list(args: argparse.Namespace, api: ApiClient) -> Any:
    overview = api.get("/features")
    if args.json:
        return overview
    live = overview["live"]
    rows = [[f["name"], f["version"], "live" if live and (f["name"], f["version"]) == (live["name"], live["version"])
             else "-", f["author"], _time(f["created_ms"]), f["source"]] for f in overview["versions"]]  # fmt: skip
    return _Table(["FEATURE SET", "VERSION", "LIVE", "AUTHOR", "CREATED", "SOURCE"], rows, empty="no feature sets yet")


def _features_check(args: argparse.Namespace, api: ApiClient) -> Any:
    result = api.post("/features/validate", json=_feature_file(args.file))
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    elif result["valid"]:
        print(f"{args.file}: {result['feature_set']} OK, {len(result['features'])} features")
    else:
        print("\n".join(error["rendered"] for error in result["errors"]))
    return 0 if result["valid"] else 1


def _features_deploy(args: argparse.Namespace, api: ApiClient) -> Any:
    result = api.post("/features", json=_feature_file(args.file))
    return result if args.json else result["change"]["description"]


def _feature_file(path: str) -> dict[str, str]:
    try:
        text = read_bytes(Path(path)).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(f"{path}: not UTF-8 text", 1) from None
    return {"dsl": text, "source": Path(path).name}


def _change(args: argparse.Namespace, change: dict[str, Any]) -> Any:
    if args.json:
        return change
    return change["description"] + ("" if change["changed"] else " (nothing changed)")


class _Table:
    def __init__(self, header: list[str], rows: list[list[Any]], empty: str = "nothing") -> None:
        self.header, self.rows, self.empty = header, rows, empty

    def __str__(self) -> str:
        if not self.rows:
            return self.empty
        cells = [self.header, *[["-" if c is None else str(c) for c in row] for row in self.rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def _live_words(live: list[dict[str, Any]]) -> str:
    return ", ".join(f"v{e['version']} {e['alias']} ({e['mode']})" for e in live) or "-"


def _time(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
