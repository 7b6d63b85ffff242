using TraceExporter.TestSupport;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>Where the repository, the published daemon and the built workload are, found from this test assembly's own output path.</summary>
internal static class RepositoryLayout
{
    private const string TargetFramework = "net10.0";

    /// <summary>The folder holding TraceExporter.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of this test assembly: bin/&lt;Configuration&gt;/net10.0.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";

    private static readonly Lazy<PublishedDaemon> PublishedDaemon = new(() => TestSupport.PublishedDaemon.Locate(Root));

    /// <summary>The native daemon as it ships (see <see cref="TestSupport.PublishedDaemon"/>).</summary>
    public static PublishedDaemon Daemon => PublishedDaemon.Value;

    /// <summary>The JIT build of the daemon beside these tests (for comparing it with the native one).</summary>
    public static string JitDaemonDll { get; } =
        Path.Combine(Root, "src", "TraceExporter", "bin", Configuration, TargetFramework, "trace-exporter.dll");

    public static string WorkloadDll { get; } =
        Path.Combine(Root, "tests", "TraceExporter.TestWorkload", "bin", Configuration, TargetFramework, "te-workload.dll");

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
