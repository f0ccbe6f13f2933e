#!/usr/bin/env python3
"""The far end of a serial port for the Windows serial test under wine: opens a
pseudo-terminal, prints its device path (wine maps a COM port to it), and
answers every line written to the port in upper case until it is killed."""
import os
import pty
import tty

master, slave = pty.openpty()  # the slave stays open, so the pty stays
tty.setraw(master)
# Raw on the port's side too: with the line discipline's echo on, every answer
# would come back to this end and be answered again.
tty.setraw(slave)
print(os.ttyname(slave), flush=True)
pending = b""
while True:
    data = os.read(master, 256)
    if not data:
        break
    pending += data
    while b"\n" in pending:
        line, pending = pending.split(b"\n", 1)
        os.write(master, line.upper() + b"\n")
