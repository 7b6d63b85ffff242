# Build: SDK image compiles and publishes the daemon.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/TraceExporter/TraceExporter.csproj --configuration Release --output /app

# Run: ASP.NET runtime plus bpftrace. Needs the host's kernel view:
#   docker run --privileged --pid=host -v /sys/kernel/tracing:/sys/kernel/tracing -v /sys/kernel/btf:/sys/kernel/btf:ro -p 9439:9439 IMAGE
FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends bpftrace util-linux \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /opt/trace-exporter
COPY config/trace-exporter.yaml /etc/trace-exporter/trace-exporter.yaml
EXPOSE 9439
ENTRYPOINT ["dotnet", "/opt/trace-exporter/trace-exporter.dll"]
CMD ["--config.file", "/etc/trace-exporter/trace-exporter.yaml", "--web.listen-address", ":9439"]
