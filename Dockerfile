# syntax=docker/dockerfile:1
# Build: Debian 12 with the .NET SDK taken from Microsoft's SDK image (.NET 10 ships no Debian images), plus
# clang and zlib1g-dev, which NativeAOT compiles and links with. The build runs on the same Debian as the
# runtime stage, so the native executable needs no newer glibc than the one it runs on. The restore for
# linux-x64 is cached while the project files do not change.
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates clang zlib1g-dev libicu72 libssl3 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=mcr.microsoft.com/dotnet/sdk:10.0 /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/local/bin/dotnet
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/TraceExporter/TraceExporter.csproj src/TraceExporter/
RUN dotnet restore src/TraceExporter/TraceExporter.csproj --runtime linux-x64
COPY src/ src/
RUN dotnet publish src/TraceExporter/TraceExporter.csproj --no-restore --configuration Release --runtime linux-x64 \
      --output /app

# Run: Debian 12 with bpftrace, setpriv (util-linux), tini and libssl3 (TLS, --web.config.file). No .NET runtime:
# the daemon is one native executable.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends bpftrace util-linux tini libssl3 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/trace-exporter /opt/trace-exporter/trace-exporter
COPY config/trace-exporter.yaml /etc/trace-exporter/trace-exporter.yaml
# No diagnostics IPC socket, so the root file system can be read-only (the native runtime honours it too).
ENV DOTNET_EnableDiagnostics=0
# Root, deliberately: bpftrace refuses to run under any other uid. Give the container only CAP_BPF,
# CAP_PERFMON, CAP_SYS_ADMIN and CAP_SYS_NICE (README, "Running the container"), and this root can do nothing else.
USER 0:0
EXPOSE 9439
# tini as pid 1: a container has no init, and processes orphaned by a strace probe's command (their parent
# exited) are reparented to pid 1, which must reap them or they stay zombies. tini also passes SIGTERM on.
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/trace-exporter/trace-exporter"]
CMD ["--config.file", "/etc/trace-exporter/trace-exporter.yaml", "--web.listen-address", ":9439"]
