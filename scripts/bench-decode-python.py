#!/usr/bin/env python3
"""Baseline for scripts/bench-decode.sh: decode a gateway msgLog.html the
way a small script with Python's standard library would.

It streams the file, takes the content of each <pre> block, undoes the HTML
escaping, parses internal MIME messages with the standard `email` package
(base64 undone by get_payload(decode=True), gzip/zlib sniffed and
inflated), reads raw HTTP requests and responses (headers with `email` too),
and prints one JSON line per message with the same fields as
`psib decode -o json`.

    python3 scripts/bench-decode-python.py msgLog.html > /dev/null
"""
import email
import email.policy
import gzip
import html
import json
import re
import sys
import zlib

IBINFO_FIELDS = re.compile(r"<(MessageName|ExternalOperationName|TransactionID|RequestingNode|DestinationNode|OrigTimeStamp|StatusCode|MsgSet|MsgID)>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</\1>")


def blocks(path):
    """Yield (line, text) for the content of every <pre ...> block."""
    buf, start = None, 0
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for n, line in enumerate(f, 1):
            if buf is None:
                i = line.find("<pre")
                if i < 0:
                    continue
                line = line[line.index(">", i) + 1:]
                buf, start = [], n + 1
                if line in ("\n", "\r\n"):
                    continue
            k = line.find("</pre>")
            if k >= 0:
                buf.append(line[:k])
                yield start, "".join(buf)
                buf = None
            else:
                buf.append(line)


def inflate(data):
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data), "gzip"
    if len(data) > 1 and data[0] == 0x78 and (data[0] << 8 | data[1]) % 31 == 0:
        return zlib.decompress(data), "zlib"
    return data, "none"


def ibinfo_fields(xml):
    return {m.group(1): m.group(2) for m in IBINFO_FIELDS.finditer(xml)}


def decode_mime(text):
    msg = email.message_from_string(text, policy=email.policy.compat32)
    info, sections = {}, []
    for part in msg.walk():
        if part.is_multipart():
            continue
        cid = (part.get("Content-ID") or "").strip("<> ")
        data = part.get_payload(decode=True) or b""
        data, comp = inflate(data)
        body = data.decode(part.get_content_charset() or "utf-8", errors="replace")
        if cid == "IBInfo":
            info = ibinfo_fields(body)
            continue
        sections.append({"id": cid, "content_type": part.get("Content-Type"),
                         "transfer_encoding": part.get("Content-Transfer-Encoding"),
                         "compression": comp, "bytes": len(data), "body": body})
    return dict(msg.items()), info, sections


def decode_http(text):
    head, _, body = text.partition("\r\n\r\n")
    first, _, rest = head.partition("\r\n")
    headers = email.message_from_string(rest + "\r\n\r\n", policy=email.policy.compat32)
    info = ibinfo_fields(body)
    return first, dict(headers.items()), info, [{"id": "body", "content_type": headers.get("Content-Type"),
                                                 "transfer_encoding": "8bit", "compression": "none",
                                                 "bytes": len(body), "body": body}]


def main(path):
    out = sys.stdout
    for line, block in blocks(path):
        text = html.unescape(block)
        if text.startswith("Message-ID:"):
            headers, info, sections = decode_mime(text)
            fmt = "mime"
            kind = "response" if "StatusCode" in info else "request"
        elif text.startswith(("POST ", "GET ", "HTTP/")):
            first, headers, info, sections = decode_http(text)
            fmt = "http"
            kind = "response" if first.startswith("HTTP/") else "request"
        else:
            continue
        status = None
        if "StatusCode" in info:
            status = {"status_code": int(info["StatusCode"]), "msg_set": int(info.get("MsgSet") or 0),
                      "msg_id": int(info.get("MsgID") or 0)}
        rec = {"file": path, "line": line, "kind": kind, "format": fmt,
               "operation": info.get("ExternalOperationName") or info.get("MessageName") or headers.get("OperationName", ""),
               "transaction_id": info.get("TransactionID", ""), "from": info.get("RequestingNode") or headers.get("From", ""),
               "to": info.get("DestinationNode") or headers.get("To", ""), "timestamp": info.get("OrigTimeStamp", ""),
               "status": status, "ibinfo": info, "headers": headers, "sections": sections}
        out.write(json.dumps(rec, ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
