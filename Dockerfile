# syntax=docker/dockerfile:1
# mcp-gateway in a small image: the linux binary on distroless/cc (glibc and libstdc++, no shell),
# serving MCP over HTTP on port 8765 with bearer-token auth required.
#
#   bun scripts/build.ts --target bun-linux-x64        # or: bun scripts/release.ts
#   docker build -t mcp-gateway .
#   docker run --rm -p 8765:8765 -e MCP_GATEWAY_TOKEN="$(openssl rand -hex 32)" mcp-gateway
#
# arm64: docker build --platform linux/arm64 --build-arg BINARY=dist/mcp-gateway-linux-arm64 .
# Your servers: mount your own config over /etc/mcp-gateway/gateway.yaml and keep an `auth`
# section (on 0.0.0.0 the gateway refuses to start without auth.tokens). Backends started with
# npx or uvx need Node or Python in the image: pass e.g. --build-arg BASE=node:20-bookworm-slim.
ARG BASE=gcr.io/distroless/cc-debian12:nonroot
FROM ${BASE}

ARG BINARY=dist/mcp-gateway-linux-x64
COPY --chmod=755 ${BINARY} /usr/local/bin/mcp-gateway

# The default config: no servers yet, one admin token from the environment. Without
# MCP_GATEWAY_TOKEN the gateway exits at start with an error naming the variable.
COPY <<'EOF' /etc/mcp-gateway/gateway.yaml
roles:
  admin: null
auth:
  tokens:
    - { token: "${MCP_GATEWAY_TOKEN}", role: admin }
EOF

ENV MCP_GATEWAY_CONFIG=/etc/mcp-gateway/gateway.yaml \
    XDG_CACHE_HOME=/tmp/mcp-gateway-cache
# A numeric user works on any base image, with or without a passwd entry for it.
USER 65532:65532
EXPOSE 8765
ENTRYPOINT ["/usr/local/bin/mcp-gateway"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8765"]
