namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>Where the repository and the built daemon are, found from this test assembly's own output path.</summary>
internal static class RepositoryLayout
{
    /// <summary>The folder holding TraceExporter.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>bin/&lt;Configuration&gt;/net10.0 of this assembly, so the daemon of the same configuration is used.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";

    public static string DaemonDll { get; } =
        Path.Combine(Root, "src", "TraceExporter", "bin", Configuration, "net10.0", "trace-exporter.dll");

    public static string Deploy(params string[] parts) => Path.Combine([Root, "deploy", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TraceExporter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no TraceExporter.sln above {AppContext.BaseDirectory}");
    }
}
