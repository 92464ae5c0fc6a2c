"""gongshi publish to a remote host over rsync/SSH and to S3-compatible object storage,
against real servers on loopback: an sshd started for the test (its own host key,
key-only login) and moto's standalone S3 server with credentials enforced."""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_publish import (
    ENV,
    assert_verified,
    edit_title,
    free_port,
    gongshi,
    publish_killed_at,
    require,
    snapshot,
    two_versions,
)

# ---------------------------------------------------------------- sshd on loopback


@dataclass
class Sshd:
    target: str  # ssh://user@127.0.0.1:port/<root>
    root: Path  # the remote folder (on this machine)
    ssh: str  # the ssh command with the test's key and known_hosts
    bad_ssh: str  # the same with a key the server does not accept


def _wait_port(port: int, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what} exited with {proc.returncode}"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not listen on {port}")


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    exe = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
    require(
        exe is not None and shutil.which("rsync") is not None and shutil.which("ssh-keygen") is not None,
        "sshd, ssh and rsync are not installed (Debian packages openssh-server, rsync)",
    )
    assert exe is not None
    d = tmp_path / "sshd"
    d.mkdir()
    for name in ("host", "client", "stranger"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True)
    (d / "authorized_keys").write_text((d / "client.pub").read_text())
    port = free_port()
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {(d / 'host.pub').read_text()}")
    (d / "sshd_config").write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {d / "host"}
PidFile {d / "sshd.pid"}
AuthorizedKeysFile {d / "authorized_keys"}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
""")
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation folder
    proc = subprocess.Popen(
        [exe, "-D", "-e", "-f", str(d / "sshd_config")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_port(port, proc, "sshd")
        base = f"ssh -o IdentitiesOnly=yes -o UserKnownHostsFile={d / 'known_hosts'} -o StrictHostKeyChecking=yes"
        root = tmp_path / "remote"
        yield Sshd(
            f"ssh://{getpass.getuser()}@127.0.0.1:{port}{root}",
            root,
            f"{base} -i {d / 'client'}",
            f"{base} -i {d / 'stranger'}",
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def live(root: Path) -> str:
    return os.readlink(root / "current").rsplit("/", 1)[-1]


def test_rsync_target_links_unchanged_files_switches_and_rolls_back(tmp_path, mini, sshd):
    out = tmp_path / "out"
    first = gongshi("publish", sshd.target, "--ssh", sshd.ssh, "--data", str(mini), "--output", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    a = live(sshd.root)
    edit_title(mini, "远程第二版")
    second = gongshi("publish", sshd.target, "--ssh", sshd.ssh, "--data", str(mini), "--output", str(out))
    assert second.returncode == 0, second.stderr
    b = live(sshd.root)
    assert a < b and "远程第二版" in (sshd.root / "current/projects/p1/index.html").read_text(encoding="utf-8")
    ra, rb = sshd.root / "releases" / a, sshd.root / "releases" / b
    css = "theme/css/site.css"
    assert (ra / css).stat().st_ino == (rb / css).stat().st_ino  # --link-dest: unchanged files shared
    assert (ra / "projects/p1/index.html").stat().st_ino != (rb / "projects/p1/index.html").stat().st_ino
    assert_verified(sshd.root / "current")
    assert json.loads((rb / "release.json").read_text(encoding="utf-8"))["previous"] == a

    back = gongshi("rollback", sshd.target, "--ssh", sshd.ssh)
    assert back.returncode == 0 and live(sshd.root) == a, back.stderr
    none_left = gongshi("rollback", sshd.target, "--ssh", sshd.ssh)
    assert none_left.returncode == 2 and "没有可回退的版本" in none_left.stderr and live(sshd.root) == a


def test_rsync_target_refuses_a_wrong_key_and_leaves_the_site(tmp_path, mini, sshd):
    out = tmp_path / "out"
    assert gongshi("publish", sshd.target, "--ssh", sshd.ssh, "--data", str(mini), "--output", str(out)).returncode == 0
    before = snapshot(sshd.root)
    edit_title(mini, "不该上线")
    bad = gongshi("publish", sshd.target, "--ssh", sshd.bad_ssh, "--data", str(mini), "--output", str(out))
    assert bad.returncode == 2 and "SSH 登录被拒绝" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
    assert snapshot(sshd.root) == before


def test_rsync_target_survives_a_kill_and_a_held_lock(tmp_path, mini, sshd):
    out = tmp_path / "out"
    assert gongshi("publish", sshd.target, "--ssh", sshd.ssh, "--data", str(mini), "--output", str(out)).returncode == 0
    release, before = live(sshd.root), snapshot(sshd.root / "current")
    edit_title(mini, "远程第二版")
    killed = publish_killed_at("deploy:copied", sshd.target, mini, out, {"GONGSHI_SSH": sshd.ssh})
    assert killed == -signal.SIGKILL
    assert live(sshd.root) == release and snapshot(sshd.root / "current") == before
    assert [p.name for p in (sshd.root / "releases").iterdir() if p.name.endswith(".partial")]

    with open(sshd.root / ".publish.lock", "a") as held:  # the same lock file the remote flock takes
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = gongshi(
            "publish", sshd.target, "--ssh", sshd.ssh, "--wait", "1", "--data", str(mini), "--output", str(out)
        )
    assert busy.returncode == 2 and "另一个发布或回退正在操作" in busy.stderr, busy.stderr

    again = gongshi("publish", sshd.target, "--ssh", sshd.ssh, "--data", str(mini), "--output", str(out))
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (sshd.root / "releases").iterdir()) == sorted([release, live(sshd.root)])
    assert_verified(sshd.root / "current")


# ---------------------------------------------------------------- S3 on loopback (moto's server)


@dataclass
class S3:
    endpoint: str
    env: dict[str, str]  # credentials that work
    client: object
    bucket: str = "gongshi-site"

    def objects(self) -> dict[str, bytes]:
        keys = [o["Key"] for o in self.client.list_objects_v2(Bucket=self.bucket).get("Contents", [])]  # type: ignore[attr-defined]
        return {k: self.client.get_object(Bucket=self.bucket, Key=k)["Body"].read() for k in keys}  # type: ignore[attr-defined]


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[S3]:
    try:
        import boto3
        import moto.server  # noqa: F401
    except ImportError:
        require(False, "boto3 and moto[server] are not installed (pip install -e '.[test]')")
    port = free_port()
    # Credentials are checked after the first three requests (the test's IAM set-up).
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, proc, "moto server")
        endpoint = f"http://127.0.0.1:{port}"
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="setup",
            aws_secret_access_key="setup",
        )
        iam.create_user(UserName="publisher")
        key = iam.create_access_key(UserName="publisher")["AccessKey"]
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        iam.put_user_policy(UserName="publisher", PolicyName="s3", PolicyDocument=json.dumps(policy))
        creds = {
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_DEFAULT_REGION": "us-east-1",
            "GONGSHI_S3_ENDPOINT": endpoint,
        }
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )
        client.create_bucket(Bucket="gongshi-site")
        yield S3(endpoint, creds, client)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def s3_publish(s3: S3, data: Path, out: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "publish",
            f"s3://{s3.bucket}/site",
            "--endpoint-url",
            s3.endpoint,
            "--data",
            str(data),
            "--output",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        env={**ENV, **s3.env, **(env or {})},
        timeout=300,
        check=False,
    )


def mirror(s3: S3, dest: Path) -> Path:
    """Download the published objects, as anyone reading the public bucket could."""
    for key, body in s3.objects().items():
        if key.startswith("site/") and not key.startswith("site/.gongshi/"):
            path = dest / key[len("site/") :]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
    return dest


def test_s3_target_uploads_changes_html_last_with_headers_and_removes_stale(tmp_path, mini, s3):
    out = tmp_path / "out"
    first = s3_publish(s3, mini, out)
    assert first.returncode == 0, first.stdout + first.stderr
    assert_verified(mirror(s3, tmp_path / "m1"))
    head = s3.client.head_object(Bucket=s3.bucket, Key="site/index.html")  # type: ignore[attr-defined]
    assert head["ContentType"] == "text/html; charset=utf-8" and head["CacheControl"] == "no-cache"
    css = s3.client.head_object(Bucket=s3.bucket, Key="site/theme/css/site.css")  # type: ignore[attr-defined]
    assert css["ContentType"] == "text/css; charset=utf-8" and "max-age=3600" in css["CacheControl"]
    record = json.loads(s3.objects()["site/release.json"])
    manifest = s3.client.head_object(Bucket=s3.bucket, Key=f"site/manifests/{record['id']}.json")  # type: ignore[attr-defined]
    assert "immutable" in manifest["CacheControl"] and manifest["ContentType"] == "application/json; charset=utf-8"
    s3.client.put_object(Bucket=s3.bucket, Key="site/stale.html", Body=b"old")  # type: ignore[attr-defined]
    before = set(s3.objects())

    from generator.publish import PublishOptions, publish

    puts: list[str] = []
    edit_title(mini, "对象存储第二版")
    with _env(s3.env):
        import generator.publish.targets as targets

        original = targets.S3Target._put

        def record_put(self, key, body, **extra):
            puts.append(key)
            return original(self, key, body, **extra)

        targets.S3Target._put = record_put  # type: ignore[method-assign]
        try:
            done = publish(PublishOptions(data=mini, output=out, target=f"s3://{s3.bucket}/site"))
        finally:
            targets.S3Target._put = original  # type: ignore[method-assign]
    uploads = [k for k in puts if not k.startswith(".gongshi/")]
    assert "projects/p1/index.html" in uploads and "theme/css/site.css" not in uploads  # only what changed
    html = [i for i, k in enumerate(uploads) if k.endswith(".html")]
    others = [
        i for i, k in enumerate(uploads) if not k.endswith(".html") and k not in ("release.json", "releases.json")
    ]
    assert max(others) < min(html) and uploads[-1] == "release.json"
    # The stale file, and the search index files the new title renamed (Pagefind names
    # its files by their content).
    renamed = {k for k in before - set(s3.objects()) if k.startswith("site/pagefind/")}
    assert renamed and done.deployed.removed == 1 + len(renamed) and "site/stale.html" not in s3.objects()
    assert not [k for k in s3.objects() if k.startswith("site/.gongshi/")]
    assert_verified(mirror(s3, tmp_path / "m2"))


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_s3_target_refuses_bad_credentials_and_leaves_the_bucket(tmp_path, mini, s3):
    out = tmp_path / "out"
    assert s3_publish(s3, mini, out).returncode == 0
    before = s3.objects()
    edit_title(mini, "不该上线")
    bad = s3_publish(s3, mini, out, env={"AWS_SECRET_ACCESS_KEY": "wrong"})
    assert bad.returncode == 2 and "访问被拒绝" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
    assert s3.objects() == before
    rollback = subprocess.run(
        [sys.executable, "-m", "generator.cli", "rollback", f"s3://{s3.bucket}/site", "--endpoint-url", s3.endpoint],
        capture_output=True,
        text=True,
        env={**ENV, **s3.env},
        check=False,
    )
    assert rollback.returncode == 2 and "只保存线上的一个版本，不能回退" in rollback.stderr
    assert s3.objects() == before


def test_s3_target_undoes_a_failed_upload_and_recovers_after_a_kill(tmp_path, mini, s3):
    from generator.publish import PublishOptions, publish

    out = tmp_path / "out"
    assert s3_publish(s3, mini, out).returncode == 0
    before = s3.objects()
    edit_title(mini, "中途失败")

    def broken(name: str) -> None:
        if name == "deploy:copying":
            raise OSError(28, "No space left on device")  # the upload breaks half way

    from generator.output.folder import OutputOSError

    with _env(s3.env), pytest.raises(OutputOSError, match="发布时磁盘空间已满"):
        publish(PublishOptions(data=mini, output=out, target=f"s3://{s3.bucket}/site"), step=broken)
    assert s3.objects() == before  # every overwritten object put back, every new one removed

    killed = publish_killed_at("deploy:copying", f"s3://{s3.bucket}/site", mini, out, {**s3.env})
    assert killed == -signal.SIGKILL
    assert json.loads(s3.objects()["site/release.json"]) == json.loads(before["site/release.json"])
    assert "site/.gongshi/lock" in s3.objects() and "site/.gongshi/journal.json" in s3.objects()
    # The next run sees the killed holder is gone, puts the overwritten objects back, and publishes.
    again = s3_publish(s3, mini, out, "--wait", "5")
    assert again.returncode == 0, again.stderr
    site = mirror(s3, tmp_path / "m")
    assert "中途失败" in (site / "projects/p1/index.html").read_text(encoding="utf-8")
    assert_verified(site)

    # Killed once release.json is up: the new release stays live; the next run only cleans up.
    edit_title(mini, "上线后中断")
    killed = publish_killed_at("deploy:switched", f"s3://{s3.bucket}/site", mini, out, {**s3.env})
    assert killed == -signal.SIGKILL
    assert json.loads(s3.objects()["site/.gongshi/journal.json"])["complete"] is True
    site = mirror(s3, tmp_path / "m2")
    assert "上线后中断" in (site / "projects/p1/index.html").read_text(encoding="utf-8")
    # Consistent but for the old search index files the interrupted run had still to
    # remove (Pagefind names its files by their content); the next run removes them.
    check = gongshi("verify", str(site))
    lines = (check.stdout + check.stderr).splitlines()
    found = [line for line in lines if "（" in line and not line.startswith("核对")]
    assert found and all(line.startswith("多出的文件（不在发布记录中）：pagefind/") for line in found), check.stdout
    edit_title(mini, "第三次")
    assert s3_publish(s3, mini, out, "--wait", "5").returncode == 0
    assert not [k for k in s3.objects() if k.startswith("site/.gongshi/")]
    assert_verified(mirror(s3, tmp_path / "m3"))


def test_two_s3_publishes_at_once_take_turns(tmp_path, mini, s3):
    datas = two_versions(mini)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator.cli",
                "publish",
                f"s3://{s3.bucket}/site",
                "--endpoint-url",
                s3.endpoint,
                "--data",
                str(datas[i]),
                "--output",
                str(tmp_path / f"out{i}"),
            ],
            env={**ENV, **s3.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    releases = json.loads(s3.objects()["site/releases.json"])
    assert len(releases) == 2 and releases[0]["previous"] == releases[1]["id"]
    assert_verified(mirror(s3, tmp_path / "m"))
    digest = hashlib.sha256(s3.objects()["site/release.json"]).hexdigest()
    assert releases[0]["manifest"] == digest
