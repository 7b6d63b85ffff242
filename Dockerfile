# syntax=docker/dockerfile:1
# Build: the SDK restores (cached while the project files do not change), then publishes framework-dependent.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/TraceExporter/TraceExporter.csproj src/TraceExporter/
RUN dotnet restore src/TraceExporter/TraceExporter.csproj
COPY src/ src/
RUN dotnet publish src/TraceExporter/TraceExporter.csproj --no-restore --configuration Release \
      -p:UseAppHost=false --output /app

# Run: the ASP.NET runtime plus bpftrace, setpriv (util-linux) and tini, nothing else.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends bpftrace util-linux tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /opt/trace-exporter
COPY config/trace-exporter.yaml /etc/trace-exporter/trace-exporter.yaml
# No diagnostics IPC socket, so the root file system can be read-only.
ENV DOTNET_EnableDiagnostics=0
# Root, deliberately: bpftrace refuses to run under any other uid. Give the container only CAP_BPF,
# CAP_PERFMON, CAP_SYS_ADMIN and CAP_SYS_NICE (README, "Running the container"), and this root can do nothing else.
USER 0:0
EXPOSE 9439
# tini as pid 1: a container has no init, and processes orphaned by a strace probe's command (their parent
# exited) are reparented to pid 1, which must reap them or they stay zombies. tini also passes SIGTERM on.
ENTRYPOINT ["/usr/bin/tini", "--", "dotnet", "/opt/trace-exporter/trace-exporter.dll"]
CMD ["--config.file", "/etc/trace-exporter/trace-exporter.yaml", "--web.listen-address", ":9439"]
