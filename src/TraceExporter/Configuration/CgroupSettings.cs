namespace TraceExporter.Configuration;

/// <summary>
/// <c>cgroups:</c> where the cgroup v2 hierarchy is (for the cgroup, unit, container_id and pod_uid labels) and how
/// long the series of a cgroup that is gone stay.
/// </summary>
public sealed record CgroupSettings
{
    public static readonly TimeSpan DefaultSeriesGrace = TimeSpan.FromMinutes(5);

    /// <summary>The cgroup2 mount point; null: found in /proc/self/mountinfo (<c>/sys/fs/cgroup</c>, or <c>…/unified</c> on hybrid hosts).</summary>
    public string? Mount { get; init; }

    /// <summary>Series of a cgroup whose directory is gone are removed this long after (a pod's churn does not grow the page).</summary>
    public TimeSpan SeriesGrace { get; init; } = DefaultSeriesGrace;
}
