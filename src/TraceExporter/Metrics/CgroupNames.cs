using System.Collections.Concurrent;
using TraceExporter.Kernel;

namespace TraceExporter.Metrics;

/// <summary>
/// cgroup id → the labels its path gives (<see cref="CgroupLabels"/>), through the host's
/// <see cref="CgroupResolver"/>: each id is resolved (and its path parsed) once, then answered from here.
/// </summary>
public sealed class CgroupNames(CgroupResolver resolver)
{
    private readonly ConcurrentDictionary<ulong, CgroupLabels> _labels = new();

    public CgroupResolver Resolver => resolver;

    /// <summary>False while the id does not resolve (a cgroup too new for the last walk, or gone before it).</summary>
    public bool TryGet(ulong id, out CgroupLabels labels)
    {
        if (_labels.TryGetValue(id, out labels!))
        {
            return true;
        }

        if (!resolver.TryResolve(id, out var path))
        {
            labels = Unresolved;
            return false;
        }

        labels = CgroupLabels.FromPath(path);
        _labels[id] = labels;
        return true;
    }

    /// <summary>The cgroup is gone and its series removed: it is forgotten here and by the resolver.</summary>
    public void Forget(ulong id)
    {
        _labels.TryRemove(id, out _);
        resolver.Forget(id);
    }

    /// <summary>What an id that does not resolve reads: every label empty.</summary>
    public static readonly CgroupLabels Unresolved = new("", "", "", "");
}
