using TraceExporter.TestSupport;

namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>Where the repository and the published daemon are, found from this test assembly's own output path.</summary>
internal static class RepositoryLayout
{
    /// <summary>The folder holding TraceExporter.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static readonly Lazy<PublishedDaemon> PublishedDaemon = new(() => TestSupport.PublishedDaemon.Locate(Root));

    /// <summary>The native daemon as it ships (see <see cref="TestSupport.PublishedDaemon"/>).</summary>
    public static PublishedDaemon Daemon => PublishedDaemon.Value;

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
