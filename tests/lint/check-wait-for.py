#!/usr/bin/env python3
"""Find polling waits that cannot see change.

The testbed scripts poll with `wait_for SECONDS COMMAND...`. The shell expands
a command substitution in COMMAND's arguments once, before wait_for starts, so
`wait_for 10 test "$(ls /sys/bus/ntb/devices | wc -l)" -ge 2` compares the
count taken at the first instant ten seconds long (CI failed on exactly that).
A wait must call a function or `sh -c '...'` that looks again on every poll.

Usage: check-wait-for.py FILE...   (exit 1 and one line per finding)
       check-wait-for.py --self-test
"""
import re
import sys

WAIT = re.compile(r'\bwait_for\s+\S+\s+(.*)')


def command_part(args):
    """The wait's command: up to the first unquoted ||, &&, ; or |."""
    out, quote, i = [], None, 0
    while i < len(args):
        c = args[i]
        if c == '\\' and i + 1 < len(args):
            out.append(args[i:i + 2])
            i += 2
            continue
        if quote:
            if c == quote:
                quote = None
        elif c in '"\'':
            quote = c
        elif args.startswith(('||', '&&'), i) or c in ';|':
            break
        out.append(c)
        i += 1
    return ''.join(out)


def findings(text):
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith('#'):
            continue
        m = WAIT.search(line)
        if not m or line.lstrip().startswith(('wait_for()', 'wait_for ()')):
            continue
        cmd = command_part(m.group(1))
        if cmd.startswith(('sh -c', 'bash -c')):
            continue  # the quoted script runs again on every poll
        # an unescaped $( or backquote in the arguments runs once; $(( )) is arithmetic
        # on values the caller already has, which is what a wait compares against
        if re.search(r'(?<!\\)\$\((?!\()|(?<!\\)`', cmd):
            yield n, line.strip()


def self_test():
    bad = 'wait_for 10 test "$(ls /sys/bus/ntb/devices | wc -l)" -ge 2 || { log "x: $(ls)"; }'
    good = [
        'wait_for 10 ntb_devices_at_least 2 || { log "NTB devices: $(ls /sys/bus/ntb/devices)"; }',
        'if wait_for 3 sh -c "[ \\$(( \\$(cat $3/db) )) -ne 0 ]"; then',
        'wait_for 20 test -e "/sys/bus/pci/devices/$HOST_DEV/driver" || return 1',
        'if wait_for 10 aborted_n $((ab0 + 3)); then',
    ]
    assert list(findings(bad)), 'missed the one-shot substitution'
    assert list(findings('wait_for 5 test -z `ls /x`')), 'missed backquotes'
    assert list(findings('wait_for 5 test $(( $(cat /x) )) -gt 0')), 'missed $( inside $(( ))'
    for g in good:
        assert not list(findings(g)), 'false finding: ' + g
    print('self-test ok')


def main(argv):
    if argv[1:] == ['--self-test']:
        self_test()
        return 0
    bad = 0
    for path in argv[1:]:
        with open(path, encoding='utf-8') as f:
            for n, line in findings(f.read()):
                print(f'{path}:{n}: wait_for argument expanded once, before polling: {line}')
                bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
