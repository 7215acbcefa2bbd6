#!/usr/bin/env python3
"""Read an ssdd Kafka topic as a consumer group, load it into a table, print counts per stream and label.

Every message is one ssdd record (key = stream name, value = the JSON line, headers `kind` and `v`). The records are
loaded into an SQLite table (in memory, or --db FILE to keep it) and summarised with SQL:

    per stream: frames, frames with a detection, tracks started, events, stream state changes
    per stream and label: detections (in frame records) and tracks (track start records)

Consumers in one group share the topic's partitions; since a stream's records share a key, each stream is read by
exactly one member, in order. Run several copies with the same --group to spread a fleet's streams.

Setup (a virtual environment, not in CI):
    python3 -m venv .venv-kafka && .venv-kafka/bin/pip install confluent-kafka
    .venv-kafka/bin/python tools/kafka_counts.py --brokers kafka-1:9092 --topic ssdd --group ssdd-counts

It stops once every assigned partition is read to its end (--follow keeps reading and prints every --every seconds).
"""
import argparse
import json
import sqlite3
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    partition INTEGER, offset INTEGER, stream TEXT, kind TEXT, v INTEGER, frame INTEGER, label TEXT,
    event TEXT, state TEXT, payload TEXT, PRIMARY KEY (partition, offset));
CREATE TABLE IF NOT EXISTS detections (partition INTEGER, offset INTEGER, stream TEXT, frame INTEGER, label TEXT, score REAL);
"""


def load(message, db):
    """One message into the tables (a frame record adds one row per detection)."""
    headers = dict((k, v.decode() if v is not None else None) for k, v in (message.headers() or []))
    key = message.key().decode() if message.key() is not None else None
    payload = message.value().decode()
    record = json.loads(payload)
    kind = headers.get("kind") or record.get("kind")
    db.execute(
        "INSERT OR REPLACE INTO records VALUES (?,?,?,?,?,?,?,?,?,?)",
        (message.partition(), message.offset(), key, kind, int(headers.get("v", record.get("v", 0))), record.get("frame"),
         record.get("label"), record.get("event"), record.get("state"), payload))
    for detection in record.get("detections", []) if kind == "frame" else []:
        db.execute("INSERT INTO detections VALUES (?,?,?,?,?,?)",
                   (message.partition(), message.offset(), key, record.get("frame"), detection.get("label"), detection.get("score")))


def table(db, title, sql):
    rows = db.execute(sql).fetchall()
    names = [d[0] for d in db.execute(sql).description]
    widths = [max(len(str(x)) for x in [n] + [r[i] for r in rows]) for i, n in enumerate(names)]
    print(title)
    print("  ".join(n.ljust(w) for n, w in zip(names, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
    print()


def report(db):
    table(db, "per stream", """
        SELECT stream, COUNT(*) AS records,
               SUM(kind = 'frame') AS frames,
               (SELECT COUNT(DISTINCT d.frame) FROM detections d WHERE d.stream IS r.stream) AS frames_with_detections,
               SUM(kind = 'track' AND event = 'start') AS tracks,
               SUM(kind = 'event') AS events,
               SUM(kind = 'stream') AS state_changes
        FROM records r GROUP BY stream ORDER BY stream""")
    table(db, "per stream and label", """
        SELECT stream, label, SUM(detections) AS detections, SUM(tracks) AS tracks FROM (
            SELECT stream, label, COUNT(*) AS detections, 0 AS tracks FROM detections GROUP BY stream, label
            UNION ALL
            SELECT stream, label, 0, COUNT(*) FROM records WHERE kind = 'track' AND event = 'start' GROUP BY stream, label)
        GROUP BY stream, label ORDER BY stream, label""")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--brokers", required=True, help="bootstrap brokers, host:port[,host:port…]")
    parser.add_argument("--topic", default="ssdd")
    parser.add_argument("--group", default="ssdd-counts", help="consumer group id")
    parser.add_argument("--db", default=":memory:", help="SQLite file to load into (default: in memory)")
    parser.add_argument("--from-beginning", action="store_true", default=True,
                        help="a new group starts at the earliest offset (default)")
    parser.add_argument("--follow", action="store_true", help="keep consuming; print the tables every --every seconds")
    parser.add_argument("--every", type=float, default=10.0)
    parser.add_argument("--idle", type=float, default=10.0, help="without --follow: give up after this long without messages")
    parser.add_argument("-X", action="append", default=[], metavar="PROP=VALUE",
                        help="extra librdkafka consumer property (sasl.*, ssl.*), repeatable")
    args = parser.parse_args()

    conf = {"bootstrap.servers": args.brokers, "group.id": args.group, "auto.offset.reset": "earliest",
            "enable.partition.eof": True, "enable.auto.commit": True}
    for item in args.X:
        name, _, value = item.partition("=")
        conf[name] = value
    db = sqlite3.connect(args.db)
    db.executescript(SCHEMA)
    consumer = Consumer(conf)
    assigned, at_end = set(), set()

    def on_assign(c, partitions):
        assigned.update(p.partition for p in partitions)
        at_end.difference_update(p.partition for p in partitions)

    def on_revoke(c, partitions):
        assigned.difference_update(p.partition for p in partitions)

    consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke)
    last_message, last_report = time.monotonic(), time.monotonic()
    try:
        while True:
            message = consumer.poll(1.0)
            now = time.monotonic()
            if message is None:
                if not args.follow and now - last_message > args.idle:
                    print(f"no message for {args.idle} s; stopping", file=sys.stderr)
                    break
            elif message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(message.partition())
                    if not args.follow and assigned and assigned <= at_end:
                        break
                else:
                    raise KafkaException(message.error())
            else:
                load(message, db)
                at_end.discard(message.partition())
                last_message = now
            if args.follow and now - last_report >= args.every:
                db.commit()
                report(db)
                last_report = now
    except KeyboardInterrupt:
        pass
    finally:
        partitions = sorted(assigned)
        consumer.close()
    db.commit()
    total = db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    print(f"{total} records from topic {args.topic} (group {args.group}, partitions {partitions})\n")
    report(db)


if __name__ == "__main__":
    main()
