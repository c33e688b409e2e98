#!/bin/sh
# Installs the mcp-gateway binary from a GitHub release. Needs curl or wget, tar, and sha256sum
# or shasum; no Node, no Bun.
#
#   curl -fsSL https://github.com/mcp-unify/mcp-gateway/releases/latest/download/install.sh | sh
#
# Environment:
#   MCP_GATEWAY_VERSION        a release such as 0.1.0 (default: the latest)
#   MCP_GATEWAY_DOWNLOAD_URL   where the assets and SHA256SUMS are, taken as is
#                              (default: the GitHub release of MCP_GATEWAY_VERSION)
#   MCP_GATEWAY_INSTALL        the folder to install into (default: ~/.local/bin)
set -eu

REPO="mcp-unify/mcp-gateway"
NAME="mcp-gateway"

say() { printf '%s\n' "install.sh: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

detect_os() {
  s=$(uname -s)
  case "$s" in
    Linux) echo linux ;;
    Darwin) echo darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      die "Windows is not supported by this script; download $NAME-windows-x64.zip from the release page" ;;
    *) die "unsupported operating system: $s (releases exist for Linux, macOS and Windows)" ;;
  esac
}

detect_arch() {
  m=$(uname -m)
  case "$m" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported CPU architecture: $m (releases exist for x86_64 and arm64)" ;;
  esac
  # An x64 shell under Rosetta 2 on Apple silicon: the native binary is the better choice.
  if [ "$1" = darwin ] && [ "$arch" = x64 ] &&
    [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
    arch=arm64
  fi
  echo "$arch"
}

# musl (Alpine) needs its own build. Debian can have a musl loader installed beside glibc, so ldd
# is asked first and glibc's loader wins over musl's.
is_musl() {
  if command -v ldd >/dev/null 2>&1; then
    case "$(ldd --version 2>&1 || true)" in
      *musl*) return 0 ;;
      *GLIBC* | *"GNU libc"* | *"GNU C Library"*) return 1 ;;
    esac
  fi
  for f in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
    if [ -e "$f" ]; then return 1; fi
  done
  for f in /lib/ld-musl-*.so.1; do
    if [ -e "$f" ]; then return 0; fi
  done
  return 1
}

download() { # url file
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1" || die "download failed: $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || die "download failed: $1"
  else
    die "curl or wget is needed to download $NAME"
  fi
}

sha256_of() { # file
  if command -v sha256sum >/dev/null 2>&1; then
    sum=$(sha256sum "$1")
  elif command -v shasum >/dev/null 2>&1; then
    sum=$(shasum -a 256 "$1")
  else
    die "sha256sum or shasum is needed to verify the download"
  fi
  echo "${sum%% *}"
}

expected_sha256() { # sums-file asset
  while read -r hash file; do
    # sha256sum writes "*name" for files hashed in binary mode.
    if [ "$file" = "$2" ] || [ "$file" = "*$2" ]; then
      echo "$hash"
      return 0
    fi
  done <"$1"
  return 1
}

main() {
  os=$(detect_os)
  arch=$(detect_arch "$os")
  target="$os-$arch"
  if [ "$os" = linux ] && is_musl; then
    [ "$arch" = x64 ] || die "unsupported platform: linux-$arch with musl (only linux-x64-musl is built)"
    target="$target-musl"
  fi
  asset="$NAME-$target.tar.gz"

  version="${MCP_GATEWAY_VERSION:-}"
  if [ -n "${MCP_GATEWAY_DOWNLOAD_URL:-}" ]; then
    base="${MCP_GATEWAY_DOWNLOAD_URL%/}"
  elif [ -n "$version" ]; then
    base="https://github.com/$REPO/releases/download/v${version#v}"
  else
    base="https://github.com/$REPO/releases/latest/download"
  fi
  dir="${MCP_GATEWAY_INSTALL:-${HOME:?HOME is not set; set MCP_GATEWAY_INSTALL}/.local/bin}"

  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t mcp-gateway)
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  say "downloading $asset from $base"
  download "$base/SHA256SUMS" "$tmp/SHA256SUMS"
  download "$base/$asset" "$tmp/$asset"

  want=$(expected_sha256 "$tmp/SHA256SUMS" "$asset") || die "SHA256SUMS from $base has no entry for $asset"
  got=$(sha256_of "$tmp/$asset")
  [ "$got" = "$want" ] ||
    die "checksum mismatch for $asset: expected $want, got $got; nothing was installed"

  mkdir "$tmp/unpacked"
  tar -xzf "$tmp/$asset" -C "$tmp/unpacked" || die "cannot unpack $asset"
  [ -f "$tmp/unpacked/$NAME" ] || die "$asset holds no $NAME"

  mkdir -p "$dir" || die "cannot create $dir"
  # Copy beside the target, then rename: a running mcp-gateway keeps its old file.
  cp "$tmp/unpacked/$NAME" "$dir/.$NAME.new" || die "cannot write to $dir"
  chmod 755 "$dir/.$NAME.new"
  mv -f "$dir/.$NAME.new" "$dir/$NAME" || die "cannot write $dir/$NAME"

  installed=$("$dir/$NAME" --version 2>/dev/null) ||
    die "installed $dir/$NAME, but it does not run here ($target build)"
  say "installed $NAME $installed to $dir/$NAME"
  case ":${PATH:-}:" in
    *":$dir:"*) ;;
    *) say "note: $dir is not on PATH; add it, e.g. export PATH=\"$dir:\$PATH\"" ;;
  esac
}

main "$@"
