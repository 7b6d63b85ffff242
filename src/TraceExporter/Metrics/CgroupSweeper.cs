using System.Collections.Concurrent;
using TraceExporter.Kernel;

namespace TraceExporter.Metrics;

/// <summary>
/// Removes the series of cgroups that are gone, so a cluster's churn of pods does not grow the page: each
/// <see cref="Sweep"/> asks the resolver which cgroups' directories are gone, and those gone for longer than the
/// grace period are handed to every route keyed by cgroup, which removes their series on its own thread (at its
/// next drain); the cgroup is then forgotten. Routes are held weakly: those of a stopped group simply go.
/// </summary>
public sealed class CgroupSweeper(CgroupNames? names, TimeSpan grace, TimeProvider time)
{
    private readonly List<WeakReference<MapRoute>> _routes = [];
    private readonly Lock _lock = new();

    /// <summary>The host's cgroup naming; null where no cgroup v2 hierarchy is mounted.</summary>
    public CgroupNames? Names => names;

    public TimeSpan Grace => grace;

    /// <summary>How often to sweep: a quarter of the grace period, between 1 s and 30 s.</summary>
    public TimeSpan Period => TimeSpan.FromTicks(Math.Clamp(grace.Ticks / 4, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));

    public void Register(MapRoute route)
    {
        lock (_lock)
        {
            _routes.Add(new WeakReference<MapRoute>(route));
        }
    }

    /// <summary>Hands the cgroups gone for longer than the grace period to the routes; returns how many.</summary>
    public int Sweep()
    {
        if (names is null)
        {
            return 0;
        }

        var oldest = time.GetUtcNow() - grace;
        var expired = names.Resolver.CheckGone().Where(g => g.Since <= oldest).Select(g => g.Id).ToList();
        if (expired.Count == 0)
        {
            return 0;
        }

        lock (_lock)
        {
            _routes.RemoveAll(r => !r.TryGetTarget(out _));
            foreach (var reference in _routes)
            {
                if (reference.TryGetTarget(out var route))
                {
                    route.QueueCgroupRemoval(expired);
                }
            }
        }

        foreach (var id in expired)
        {
            names.Forget(id);
        }

        return expired.Count;
    }
}
