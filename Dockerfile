# mergegate as a container image, to gate a repository from any CI system:
#
#   docker run --rm -v "$PWD:/src" -w /src IMAGE run .
#
# docs/github.md shows GitLab CI, Jenkins and plain docker. scripts/build_image.sh builds this file
# with podman against a locally made base image; tests/test_container.py lints it with hadolint.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

# git: mergegate asks git which files a repository has, and what changed for --new-from-rev. A
# repository mounted from the host belongs to another user than the one running here, and git
# refuses to work in it ("detected dubious ownership") unless it is a safe directory: every
# directory is, in this image, which only ever reads the repository it is given.
# git is not pinned (DL3008): it comes from the base image's Debian release, whose point releases
# replace the exact version, so a pin would break the build, not make it reproducible.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*'

# The package with every extra (the GitHub client and the flake8, bandit, black and autoflake
# adapters), in its own virtual environment: the base image's Python gets nothing.
COPY pyproject.toml README.md /tmp/mergegate/
COPY hooks /tmp/mergegate/hooks
COPY gates /tmp/mergegate/gates
RUN python3 -m venv /opt/mergegate \
    && /opt/mergegate/bin/pip install --no-cache-dir --disable-pip-version-check "/tmp/mergegate[all]" \
    && rm -rf /tmp/mergegate
ENV PATH="/opt/mergegate/bin:${PATH}"

# Not root: the gate only reads. To write reports into a mounted repository, run as its owner
# (`docker run --user "$(id -u):$(id -g)" ...`); any uid works, as nothing here needs a home.
# The result cache lives outside the repository, in the user's cache directory: here /cache, which
# the image's user owns (mount a volume there to keep it between runs). A user who cannot write it
# (another `--user`) runs without a cache, silently: nobody asked for one.
RUN groupadd --gid 10001 mergegate \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin mergegate \
    && install -d -o 10001 -g 10001 -m 0700 /cache
ENV XDG_CACHE_HOME=/cache
USER 10001

WORKDIR /src
ENTRYPOINT ["mergegate"]
CMD ["run", "."]
