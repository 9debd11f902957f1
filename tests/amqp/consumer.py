"""Binds a queue of its own to EXCHANGE on the broker at URL (declaring the exchange as the
rc files do), says `ready`, then prints each message it receives as a JSON line (routing key,
body in hex, the properties that are set, headers) until COUNT have come or none comes for
TIMEOUT seconds. Strict: a message beyond COUNT (within a second, or TIMEOUT when COUNT
is 0) fails it."""
import json, sys, time
import pika

url, exchange, count, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
channel.exchange_declare(exchange, exchange_type="topic", durable=True, auto_delete=True)
queue = channel.queue_declare("", exclusive=True).method.queue
channel.queue_bind(queue, exchange, routing_key="#")
print("ready", flush=True)
got = 0
if count:
    for method, props, body in channel.consume(queue, auto_ack=True, inactivity_timeout=timeout):
        if method is None:
            break
        set_props = {k: v for k, v in sorted(props.__dict__.items()) if v is not None and k != "headers"}
        print(json.dumps({"key": method.routing_key, "body": body.hex(), "props": set_props,
                          "headers": props.headers}, sort_keys=True), flush=True)
        got += 1
        if got == count:
            break
    channel.cancel()
# Strict: nothing more comes (with COUNT 0, within TIMEOUT).
time.sleep(1.0 if count else timeout)
method, _, body = channel.basic_get(queue, auto_ack=True)
if method is not None:
    sys.exit("one message more than expected: %r" % body)
connection.close()
