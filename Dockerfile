# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src
# The whole workspace is needed: every member's Cargo.toml is part of the build
# graph even though only the `papo` binary is built. See .dockerignore.
COPY . .
RUN cargo build --release --locked --bin papo

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim

# DL3008 (pin apt versions) ignored: ca-certificates tracks the bookworm security
# archive; pinning an exact version would break the build at every Debian update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user `papo` (fixed uid/gid 10001, so `USER` is numeric and
# resolvable by the host and by runAsNonRoot checks). /data is its home and the
# working directory, so the default `sqlite://papo.db` (and the generated dev
# JWT secret) land there. Mount a volume on /data to keep them.
RUN groupadd --system --gid 10001 papo \
    && useradd --system --uid 10001 --gid papo --home-dir /data --shell /usr/sbin/nologin papo \
    && mkdir -p /data \
    && chown papo:papo /data

COPY --from=builder /src/target/release/papo /usr/local/bin/papo
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
RUN chmod 0755 /usr/local/bin/entrypoint.sh

USER 10001:10001
WORKDIR /data
ENV PAPO_BIND=0.0.0.0:8000
EXPOSE 8000

# No HEALTHCHECK: the slim image has no curl/wget, and adding one only for this
# would grow the image. Orchestrators can probe HTTP on port 8000 directly.

ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
