"""Publishes a fixed set of messages to the exchange in CAPTUREMOCK_SERVER (<url>/<exchange>),
then prints them as JSON lines, as consumer.py prints what it receives (the properties
that are set, the headers, the body in hex).

Usage: publisher.py SET, where SET is `reference` (messages the reference records and
replays: string headers, the default delivery mode and priority, bodies without newlines),
`full` (everything the reference records, whatever it replays) or `bad` (messages the
reference's recorder dies on, between good ones, then one marked not to be recorded)."""
import json, os, sys
import pika

P = pika.BasicProperties
SETS = {
    "reference": [
        ("orders.new", b"first", P(headers={"b": "2", "a": "1"}, content_type="text/plain", delivery_mode=2, priority=0)),
        ("orders.old", b"second one", P(headers={"x": "y"}, correlation_id="c-1", app_id="app", delivery_mode=2, priority=0)),
        ("utf", "caf\u00e9".encode(), P(headers={"h": "caf\u00e9"}, delivery_mode=2, priority=0, message_id="m1", type="t")),
    ],
    "full": [
        ("orders.new", b"first body\nline two", P(headers={"b": "2", "a": "1"}, content_type="text/plain")),
        ("orders.old", b"second", P(headers={"x": "y"}, delivery_mode=1, correlation_id="c-1", priority=3)),
        ("keyless", b"ends with a newline\n", P(headers={"k": "v"}, delivery_mode=2, priority=0, app_id="app", type="t",
                                             message_id="m1", reply_to="r", expiration="60000", user_id="guest")),
        ("utf", "caf\u00e9".encode(), P(headers={"h": "caf\u00e9"})),
        ("binary", b"\xff\x00\x01", P(headers={"h": "v"})),
        ("", b"no routing key", P(headers={"h": "v"}, priority=1)),
    ],
    "bad": [
        ("a", b"one", P(headers={"s": "x"})),
        ("b", b"no headers", P(content_type="text/plain")),
        ("c", b"number header", P(headers={"n": 5, "t": True})),
        ("d", b"four", P(headers={"s": "y"})),
        ("e", b"never recorded", P(headers={"originfile": "norecord"})),
    ],
}


def main():
    url, exchange = os.environ["CAPTUREMOCK_SERVER"].rsplit("/", 1)
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    for key, body, props in SETS[sys.argv[1]]:
        channel.basic_publish(exchange, key, body, properties=props)
        set_props = {k: v for k, v in sorted(props.__dict__.items()) if v is not None and k != "headers"}
        print(json.dumps({"key": key, "body": body.hex(), "props": set_props, "headers": props.headers},
                         sort_keys=True))
    connection.close()


main()
