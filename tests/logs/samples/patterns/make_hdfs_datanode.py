"""Writes hdfs-datanode.log: a faithful copy, written for the tests, of an HDFS 0.19 DataNode/NameNode log as
log4j writes it (the message shapes of the public HDFS logs studied by Drain's authors; no line is copied).
Deterministic: `python make_hdfs_datanode.py > hdfs-datanode.log`; bench/logs_patterns.py writes its
million lines with `write(handle, lines=1_000_000)`."""

import random
import sys
from collections import deque
from datetime import datetime, timedelta

rng = random.Random(14)
blocks: deque[str] = deque(maxlen=1000)  # a block is mentioned again soon after it appears


def ip() -> str:
    return f"10.25{rng.randint(0, 1)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"


def block() -> str:
    if blocks and rng.random() < 0.6:
        return rng.choice(blocks)
    value = rng.randint(-(2**63) + 1, 2**63 - 1)
    blocks.append(f"blk_{value}")
    return blocks[-1]


DN = "org.apache.hadoop.hdfs.server.datanode.DataNode"
NS = "org.apache.hadoop.hdfs.server.namenode.FSNamesystem"
SHAPES = [
    (30, "INFO", DN + "$DataXceiver", lambda: f"Receiving block {block()} src: /{ip()}:{rng.randint(30000, 60000)} dest: /{ip()}:50010"),
    (25, "INFO", DN + "$PacketResponder", lambda: f"PacketResponder {rng.randint(0, 2)} for block {block()} terminating"),
    (22, "INFO", DN + "$PacketResponder", lambda: f"Received block {block()} of size {rng.choice([67108864, 3546716, 28482])} from /{ip()}"),
    (20, "INFO", NS, lambda: f"BLOCK* NameSystem.addStoredBlock: blockMap updated: {ip()}:50010 is added to {block()} size {rng.choice([67108864, 3546716])}"),
    (8, "INFO", NS, lambda: f"BLOCK* NameSystem.allocateBlock: /user/root/rand/_temporary/_task_200811092030_0001_m_{rng.randint(0, 999):06d}_0/part-{rng.randint(0, 999):05d}. {block()}"),
    (6, "INFO", "org.apache.hadoop.hdfs.server.datanode.DataBlockScanner", lambda: f"Verification succeeded for {block()}"),
    (5, "INFO", NS, lambda: f"BLOCK* NameSystem.delete: {block()} is added to invalidSet of {ip()}:50010"),
    (4, "INFO", "org.apache.hadoop.hdfs.server.datanode.FSDataset", lambda: f"Deleting block {block()} file /mnt/hadoop/dfs/data/current/subdir{rng.randint(0, 63)}/{block()}"),
    (2, "WARN", DN + "$DataXceiver", lambda: f"{ip()}:50010:Got exception while serving {block()} to /{ip()}:"),
]
WEIGHTS = [shape[0] for shape in SHAPES]



def write(handle, records: int | None = 1500, lines: int | None = None, step_ms: int = 4000) -> None:
    """`records` records, or records until there are `lines` lines; a WARN record has a 3-line stack trace."""
    rng.seed(14)
    blocks.clear()
    when = datetime(2008, 11, 9, 20, 35, 18, 0)
    written = done = 0
    while (records is None or done < records) and (lines is None or written < lines):
        when += timedelta(milliseconds=rng.randint(1, step_ms))
        _, level, logger, message = rng.choices(SHAPES, WEIGHTS)[0]
        out = [f"{when:%Y-%m-%d %H:%M:%S},{when.microsecond // 1000:03d} {level} {logger}: {message()}"]
        if level == "WARN":
            out += ["java.io.IOException: Connection reset by peer", "\tat sun.nio.ch.FileDispatcher.write0(Native Method)",
                    "\tat org.apache.hadoop.hdfs.server.datanode.BlockSender.sendChunks(BlockSender.java:292)"]
        if lines is not None:
            out = out[: lines - written]
        handle.write("\n".join(out) + "\n")
        written += len(out)
        done += 1


if __name__ == "__main__":
    write(sys.stdout)
