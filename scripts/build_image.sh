#!/usr/bin/env bash
# Build the Dockerfile with podman where there is no Docker engine and no image registry, then run
# the image as the docs say on examples/, and on a git repository owned by another user.
#
#   scripts/build_image.sh             # as root; the base image is made once, then reused
#   scripts/build_image.sh --new-base  # make the base image again
#
# Not run in CI: it needs root and apt, and takes minutes (the base image about 4, the build about
# 1). tests/test_container.py lints the Dockerfile with hadolint on every run instead.
#
# The base image: no registry is reachable, so it is made locally with what the Dockerfile expects
# of `python:3.11-slim`: Debian bookworm (whose python3 is 3.11) from debootstrap, with python3-venv
# and ca-certificates, imported as localhost/python:3.11-slim with the official image's PATH and
# LANG. The build uses the host network (pip reaches PyPI) and the host's CA bundle, mounted for the
# build only (this network inspects TLS with its own authority); the image gets neither.
#
# What this machine needs (a container itself): `--runtime runc`, as crun refuses its hybrid
# cgroup v1/v2 layout ("cgroups in hybrid mode not supported"); and explicit, lower `--ulimit`s on
# `podman run`, as without CAP_SYS_RESOURCE podman's own defaults for root (raising nofile and
# nproc) are refused. Neither changes the image.
#
# Prints the build time, the image size and each run's output with its exit status; exits non-zero
# when a run does not end as expected or mergegate warns (the cache must stay silent).
set -euo pipefail

BASE=localhost/python:3.11-slim
IMAGE=localhost/mergegate:dev
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
HOST_CA=/etc/ssl/certs/ca-certificates.crt
RUN=(podman --runtime runc run --rm --network=none --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
root_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" -ne 0 ]; then
    echo "build_image.sh: run as root (debootstrap and podman need it)" >&2
    exit 2
fi
if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null ||
    ! command -v runc >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman debootstrap runc >/dev/null
fi

if [ "${1:-}" = "--new-base" ] || ! podman image exists "$BASE"; then
    echo "== debootstrap $SUITE (minbase, python3-venv, ca-certificates) as $BASE"
    start=$SECONDS
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        "$SUITE" "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
        { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin \
        "$work/rootfs/var/cache/apt/archives/"*.deb
    tar -C "$work/rootfs" -c . | podman import --quiet \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["python3"]' \
        - "$BASE" >/dev/null
    rm -rf "$work/rootfs"
    version=$("${RUN[@]}" "$BASE" python3 --version)
    echo "made in $((SECONDS - start)) s: $version," \
        "$(podman image inspect --format '{{.Size}}' "$BASE" | awk '{printf "%.0f MB", $1 / 1e6}')"
fi

echo "== podman build --build-arg BASE_IMAGE=$BASE -t $IMAGE"
start=$SECONDS
podman build --runtime runc --network=host --volume "$HOST_CA:$HOST_CA:ro" \
    --build-arg "BASE_IMAGE=$BASE" -t "$IMAGE" -f "$root_dir/Dockerfile" "$root_dir" \
    >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
echo "built in $((SECONDS - start)) s;" \
    "size $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}');" \
    "user $(podman image inspect --format '{{.Config.User}}' "$IMAGE");" \
    "entrypoint $(podman image inspect --format '{{json .Config.Entrypoint}}' "$IMAGE")"
podman history --format '  {{.Size}}\t{{.CreatedBy}}' "$IMAGE" | cut -c 1-100

# gate EXPECTED_STATUS [podman options...] -- mergegate arguments...
# Runs the image in /src; fails when the status is not EXPECTED_STATUS or mergegate warned.
gate() {
    local expected=$1 status=0 options=()
    shift
    while [ "$1" != "--" ]; do
        options+=("$1")
        shift
    done
    shift
    "${RUN[@]}" "${options[@]}" -w /src "$IMAGE" "$@" 2>"$work/stderr" || status=$?
    cat "$work/stderr"
    echo "-> exit status $status"
    if [ "$status" -ne "$expected" ]; then
        echo "build_image.sh: expected exit status $expected" >&2
        exit 1
    fi
    if grep -q "mergegate: warning" "$work/stderr"; then
        echo "build_image.sh: mergegate warned" >&2
        exit 1
    fi
}

# The documented command, with the repository mounted read-only, and as another user (who cannot
# write the image's cache folder): the gate blocks, and says nothing about its cache.
echo "== podman run --rm -v \"\$PWD/examples:/src:ro\" -w /src $IMAGE run .   (blocks: 1)"
gate 1 -v "$root_dir/examples:/src:ro" -- run .
echo "== the same as uid 4242 (--user 4242:4242)   (blocks: 1)"
gate 1 --user 4242:4242 -v "$root_dir/examples:/src:ro" -- run .

# A named volume on /cache keeps the results between runs: the second run serves every file.
echo "== twice with a cache volume (-v mergegate-cache:/cache), the Markdown report's cache line"
podman volume rm --force mergegate-cache >/dev/null
gate 1 -v mergegate-cache:/cache -v "$root_dir/examples:/src:ro" -- run . --format markdown |
    grep "served from the cache"
gate 1 -v mergegate-cache:/cache -v "$root_dir/examples:/src:ro" -- run . --format markdown |
    grep "served from the cache"
podman volume rm --force mergegate-cache >/dev/null

# A git repository owned by a uid other than the image's: git refuses it ("dubious ownership")
# unless it is a safe directory, and then the gate can neither list its files nor diff it. The new
# file holds the only new finding, a bare except: one P0 new, the examples' findings existing.
echo "== examples/ as a git repository owned by uid 4242, one new file, --new-from-rev HEAD (1)"
cp -R "$root_dir/examples" "$work/repo"
find "$work/repo" -name __pycache__ -prune -exec rm -rf {} +
git -C "$work/repo" init -q -b main
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=build -c user.email=build@example.invalid commit -q -m examples
printf 'try:\n    import json\nexcept:\n    json = None\n' >"$work/repo/app/new_module.py"
chown -R 4242:4242 "$work/repo"
gate 1 -v "$work/repo:/src" -- run . --new-from-rev HEAD
echo "== the same without the image's git configuration (GIT_CONFIG_NOSYSTEM=1): git refuses (2)"
gate 2 --env GIT_CONFIG_NOSYSTEM=1 -v "$work/repo:/src" -- run . --new-from-rev HEAD
