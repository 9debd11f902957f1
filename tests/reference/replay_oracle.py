"""Answers replay lookups with the reference CaptureMock's own matching code.

Reads one JSON object per line on stdin:
    {"file": "<.mock text>", "requests": ["<-CAL:...", ...], "exact": false}
and prints one JSON object per line:
    {"answers": [{"key": "<chosen recorded request>" | null, "responses": ["text", ...],
                  "mismatch": bool, "empty": bool (request without text)}, ...]}

The file is loaded by capturemock.replayinfo.ReplayInfo exactly as the reference server loads
a replay file; each request goes through its getResponseMapKey (exact, then best match) and
readReplayResponses (repeat counters), in order, against one ReplayInfo per case.
"""
import json
import os
import sys
import tempfile

from capturemock import config
from capturemock.replayinfo import ReplayInfo


class Request:
    """The parts of a traffic object that ReplayInfo consults."""

    def __init__(self, desc):
        self.desc = desc
        self.text = desc.split(":", 1)[-1]

    def getDescription(self):
        return self.desc

    def hasInfo(self):
        return len(self.text) > 0

    def canModifyServer(self):
        return True

    def hasRepeatsInReplay(self):
        return True


def response_classes(file_text):
    """One class per type id in the file, so no recorded response is filtered out."""
    ids = set()
    for line in file_text.splitlines():
        prefix = line.split(":")[0]
        if len(prefix) >= 3:
            ids.add(prefix[-3:])
    return [type("T" + str(i), (), {"typeId": t}) for i, t in enumerate(sorted(ids))]


def answer(case, workdir):
    mock = os.path.join(workdir, "replay.mock")
    with open(mock, "w", encoding="utf-8", newline="") as f:
        f.write(case["file"])
    rc = os.path.join(workdir, "exact.rc" if case.get("exact") else "plain.rc")
    rc_handler = config.RcFileHandler([rc])
    info = ReplayInfo(config.REPLAY, mock, rc_handler)
    classes = response_classes(case["file"])
    answers = []
    for desc in case["requests"]:
        request = Request(desc)
        if not request.hasInfo():
            # Neither answered nor recorded: readReplayResponses returns nothing.
            answers.append({"key": None, "responses": [], "mismatch": False, "empty": True})
            continue
        try:
            key = info.getResponseMapKey(request, False)
        except config.CaptureMockReplayError:
            answers.append({"key": None, "responses": [], "mismatch": True})
            continue
        responses = [text for _, text in info.readReplayResponses(request, classes)] if key else []
        answers.append({"key": key, "responses": responses, "mismatch": False})
    return {"answers": answers}


def main():
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, "plain.rc"), "w") as f:
            f.write("[general]\n")
        with open(os.path.join(workdir, "exact.rc"), "w") as f:
            f.write("[general]\nuse_exact_matching = true\n")
        out = sys.stdout
        for line in sys.stdin:
            if line.strip():
                out.write(json.dumps(answer(json.loads(line), workdir)) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
