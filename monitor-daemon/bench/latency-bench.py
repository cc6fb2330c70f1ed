#!/usr/bin/env python3
"""Alert latency of `bim daemon`: time from a writer's close (or rename, or chmod) to the alert line.

Runs as root. Builds a tmpfs copy of /usr/bin and /usr/sbin, starts the daemon on it, then makes N single-file
modifications one at a time (append + close, rename-over, chmod; each file is modified once, so every change is
a new alert). For each it records, on CLOCK_MONOTONIC:
  - the raw inotify floor: when a bare inotify reader of the same directories (this script) sees the event;
  - the alert: when the daemon's alert log gains the line for that file (seen through inotify on the log).
Prints p50 / p99 / max of both, the watch set-up time and the daemon's RSS. Never touches the real /usr.

usage: sudo monitor-daemon/bench/latency-bench.py [--ops 500] [--jar monitor-daemon/target/bim.jar] [--seed 1]
"""
import argparse, ctypes, ctypes.util, json, os, random, select, shutil, struct, subprocess, sys, tempfile, time

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_TO = 0x2, 0x4, 0x8, 0x80
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class Inotify:
    def __init__(self):
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.dirs = {}

    def watch(self, path, mask):
        wd = libc.inotify_add_watch(self.fd, path.encode(), mask)
        if wd < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch " + path)
        self.dirs[wd] = path

    def wait(self, deadline):
        """Yields (dir, name, mask) until the deadline (monotonic seconds)."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            i = 0
            while i < len(buf):
                wd, mask, _cookie, ln = struct.unpack_from("iIII", buf, i)
                name = buf[i + 16:i + 16 + ln].rstrip(b"\0").decode("utf-8", "surrogateescape")
                i += 16 + ln
                yield self.dirs.get(wd), name, mask


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", type=int, default=500)
    ap.add_argument("--jar", default=os.path.join(os.path.dirname(__file__), "..", "target", "bim.jar"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("latency-bench: run as root (it mounts a tmpfs)")
    random.seed(args.seed)
    print(f"seed {args.seed}, {args.ops} operations")

    top = tempfile.mkdtemp(prefix="bim-latency-")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2g", "tmpfs", top]).returncode == 0
    daemon = None
    try:
        tree = os.path.join(top, "tree")
        for d in ("bin", "sbin"):
            shutil.copytree("/usr/" + d, os.path.join(tree, "usr", d), symlinks=True)
        state = os.path.join(top, "state")
        cfg = os.path.join(top, "bim.toml")
        with open(cfg, "w") as f:
            f.write(f"""[monitor]
database_path = "{state}/hashes.json"
key_path = "{state}/bim.key"
log_dir = "{state}/log"
quarantine_dir = "{state}/quarantine"
lockdown_script = "/bin/false"
[binaries]
critical_binaries = []
system_binaries = ["{tree}/usr/bin/*", "{tree}/usr/sbin/*"]
include_libraries = false
[lockdown]
enable_lockdown = false
backup_dir = "{state}/backup"
[response]
sendmail = "/bin/true"
""")
        env = dict(os.environ, BIM_JAR=os.path.abspath(args.jar))
        launcher = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "etc", "bim")
        subprocess.run([launcher, "--config", cfg, "init"], check=True, env=env, stdout=subprocess.DEVNULL)
        log = os.path.join(state, "log", "binary_integrity_monitor.log")
        alerts = os.path.join(state, "log", "binary_integrity_alerts.log")
        daemon = subprocess.Popen([launcher, "--config", cfg, "daemon"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if os.path.exists(log) and "DaemonCommand: watching" in open(log).read():
                break
            time.sleep(0.05)
        else:
            sys.exit("daemon did not become ready")
        open(alerts, "a").close()
        setup = [l for l in open(log) if "watches installed" in l]
        print("daemon:", setup[-1].split(": ", 1)[1].strip() if setup else "?")

        floor = Inotify()
        for d in ("bin", "sbin"):
            floor.watch(os.path.join(tree, "usr", d), IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_TO)
        tail = Inotify()
        tail.watch(os.path.join(state, "log"), IN_MODIFY)
        alert_pos = os.path.getsize(alerts)

        files = [os.path.join(tree, "usr", d, n) for d in ("bin", "sbin")
                 for n in sorted(os.listdir(os.path.join(tree, "usr", d)))
                 if os.path.isfile(os.path.join(tree, "usr", d, n))
                 and not os.path.islink(os.path.join(tree, "usr", d, n))]
        random.shuffle(files)
        if len(files) < args.ops:
            sys.exit(f"only {len(files)} files for {args.ops} operations")
        kinds = ["append", "rename-over", "chmod"]
        lat_floor, lat_alert, per_kind, missed = [], [], {k: [] for k in kinds}, []
        for i in range(args.ops):
            path, kind = files[i], kinds[i % 3]
            d, name = os.path.dirname(path), os.path.basename(path)
            if kind == "append":
                with open(path, "ab") as f:
                    f.write(b"bench %d\n" % i)
                t0 = time.monotonic()
            elif kind == "rename-over":
                tmp = os.path.join(top, "new-%d" % i)   # outside the watched dirs, same tmpfs
                with open(tmp, "wb") as f:
                    f.write(b"replacement %d\n" % i)
                os.rename(tmp, path)
                t0 = time.monotonic()
            else:
                os.chmod(path, (os.stat(path).st_mode & 0o7777) ^ 0o4000)
                t0 = time.monotonic()
            t_floor = None
            for wd_dir, n, _m in floor.wait(t0 + 5):
                if wd_dir == d and n == name:
                    t_floor = time.monotonic()
                    break
            t_alert = None
            deadline = t0 + 5
            while t_alert is None and time.monotonic() < deadline:
                with open(alerts, "rb") as f:
                    f.seek(alert_pos)
                    chunk = f.read()
                lines = chunk.split(b"\n")
                for line in lines[:-1]:
                    alert_pos += len(line) + 1
                    if json.loads(line)["file"]["path"] == path:
                        t_alert = time.monotonic()
                if t_alert is None:
                    for _ in tail.wait(min(deadline, time.monotonic() + 0.05)):
                        break
            if t_floor is not None:
                lat_floor.append((t_floor - t0) * 1000)
            if t_alert is None:
                missed.append(path)
            else:
                lat_alert.append((t_alert - t0) * 1000)
                per_kind[kind].append((t_alert - t0) * 1000)

        rss = 0
        with open(f"/proc/{daemon.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) // 1024
        print(f"{'':24} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        print(f"{'raw inotify floor':24} {len(lat_floor):5} {pct(lat_floor, 50):8.2f} {pct(lat_floor, 99):8.2f} "
              f"{max(lat_floor):8.2f}")
        print(f"{'bim alert':24} {len(lat_alert):5} {pct(lat_alert, 50):8.2f} {pct(lat_alert, 99):8.2f} "
              f"{max(lat_alert):8.2f}")
        for k in kinds:
            v = per_kind[k]
            if v:
                print(f"{'  ' + k:24} {len(v):5} {pct(v, 50):8.2f} {pct(v, 99):8.2f} {max(v):8.2f}")
        print(f"missed: {len(missed)}{(' e.g. ' + missed[0]) if missed else ''}")
        print(f"daemon RSS after the run: {rss} MB")
        print(f"alert p99 {pct(lat_alert, 99):.1f} ms (target < 50 ms)")
        sys.exit(1 if missed else 0)
    finally:
        if daemon is not None:
            daemon.terminate()
            daemon.wait(30)
        if mounted:
            subprocess.run(["umount", "-l", top])
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
