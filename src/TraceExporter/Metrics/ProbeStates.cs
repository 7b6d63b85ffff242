using TraceExporter.Metrics;

namespace TraceExporter.Metrics;

/// <summary>
/// The one owner of every probe's state (bpftrace or strace): what the landing page and <c>/healthz</c> show,
/// and the only writer of <c>trace_exporter_probe_up</c>. A probe the configuration no longer has is
/// forgotten with its self-metric series.
/// </summary>
public sealed class ProbeStates(SelfMetrics self)
{
    private readonly Dictionary<string, ProbeState> _states = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _frozen;

    public IReadOnlyList<ProbeState> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _states.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
            }
        }
    }

    public ProbeState? Get(string name)
    {
        lock (_lock)
        {
            return _states.GetValueOrDefault(name);
        }
    }

    /// <param name="attach">What the probe is attached to; null keeps what was said before.</param>
    public void Set(string name, string source, ProbeStatus status, string? reason = null, string? attach = null)
    {
        lock (_lock)
        {
            if (_frozen)
            {
                return;
            }

            attach ??= _states.GetValueOrDefault(name)?.Attach ?? "";
            _states[name] = new ProbeState(name, source, status, reason, attach);
            self.ProbeUp.WithLabels(name).Set(status == ProbeStatus.Up ? 1 : 0);
        }
    }

    /// <summary>Forgets every probe not named (state and self-metric series); the named ones keep theirs.</summary>
    public void RetainOnly(IEnumerable<string> names)
    {
        var keep = names.ToHashSet(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var gone in _states.Keys.Where(n => !keep.Contains(n)).ToList())
            {
                _states.Remove(gone);
                self.Forget(gone);
            }
        }
    }

    /// <summary>
    /// From now on states (and probe_up) stay as they are: <c>once</c> reports how the probes ran, not that
    /// they were stopped to write the page.
    /// </summary>
    public void Freeze()
    {
        lock (_lock)
        {
            _frozen = true;
        }
    }
}
