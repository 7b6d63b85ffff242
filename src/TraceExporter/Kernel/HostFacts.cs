namespace TraceExporter.Kernel;

/// <summary>
/// What the probes need to know about the running kernel, gathered once at start: tracepoints, BTF
/// offsets and the drop reason names. Probe programs are generated from these, never from tables in our code.
/// </summary>
public sealed class HostFacts
{
    private readonly string _btfPath;
    private readonly WeakReference<KernelBtf?> _btf;

    private HostFacts(string btfPath, KernelBtf? btf)
    {
        _btfPath = btfPath;
        _btf = new(btf);
    }

    public required Tracefs Tracefs { get; init; }

    /// <summary>
    /// The kernel's BTF, or null without one. Held only weakly: its ~8 MB (the raw file and an index) are
    /// needed while programs are generated, at start and on reload, not in between; when the garbage
    /// collector has taken it, it is read again.
    /// </summary>
    public KernelBtf? Btf
    {
        get
        {
            if (BtfProblem is not null)
            {
                return null;
            }

            lock (_btf)
            {
                if (!_btf.TryGetTarget(out var btf) || btf is null)
                {
                    btf = KernelBtf.Load(_btfPath);
                    _btf.SetTarget(btf);
                }

                return btf;
            }
        }
    }

    /// <summary>Why <see cref="Btf"/> is null.</summary>
    public string? BtfProblem { get; init; }

    public DropReasonTable? DropReasons { get; init; }

    /// <summary>The host's ephemeral ports, folded into one <c>port="ephemeral"</c> series by port labels; null when unknown.</summary>
    public PortRange? EphemeralPorts { get; init; }

    /// <summary>Where the cgroup v2 hierarchy is mounted (cgroup ids are its directories' inodes); null when nowhere.</summary>
    public Cgroup2Mount? Cgroup2 { get; init; }

    /// <summary>
    /// The raw tracepoints of vmlinux the running bpftrace can attach to with typed arguments (bpftrace 0.24+,
    /// <c>rawtracepoint:vmlinux:NAME</c>); empty where the built-ins attach to classic tracepoints.
    /// </summary>
    public IReadOnlySet<string> RawTracepoints { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Why <see cref="RawTracepoints"/> is empty (null when it is not).</summary>
    public string? RawTracepointsProblem { get; init; }

    /// <summary>Whether the built-ins attach to the raw tracepoint <paramref name="name"/> instead of tracepoint CATEGORY:NAME.</summary>
    public bool UsesRawTracepoint(string name) => RawTracepoints.Contains(name);

    /// <summary>These facts with the raw tracepoints the running bpftrace has (found after bpftrace's version is known).</summary>
    public HostFacts WithRawTracepoints(IReadOnlySet<string> names, string? problem) =>
        new(_btfPath, _btf.TryGetTarget(out var btf) ? btf : null)
        {
            Tracefs = Tracefs,
            BtfProblem = BtfProblem,
            DropReasons = DropReasons,
            EphemeralPorts = EphemeralPorts,
            Cgroup2 = Cgroup2,
            RawTracepoints = names,
            RawTracepointsProblem = problem,
        };

    /// <param name="cgroup2Mount">The cgroup2 mount point as configured; null: found in <c>/proc/self/mountinfo</c>.</param>
    public static HostFacts Discover(
        string tracefsRoot = Tracefs.DefaultRoot,
        string btfPath = KernelBtf.DefaultPath,
        string ephemeralRangePath = PortRange.EphemeralRangePath,
        string? cgroup2Mount = null,
        string mountInfoPath = Cgroup2Mount.SelfMountInfo)
    {
        var tracefs = new Tracefs(tracefsRoot);
        KernelBtf? btf = null;
        string? btfProblem = null;
        try
        {
            btf = File.Exists(btfPath) ? KernelBtf.Load(btfPath) : null;
            btfProblem = btf is null ? $"no kernel BTF at {btfPath} (needs CONFIG_DEBUG_INFO_BTF=y)" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            btfProblem = $"cannot read kernel BTF at {btfPath}: {e.Message}";
        }

        var dropReasons = tracefs.ReadFormat("skb", "kfree_skb") is { } format
            ? DropReasonTable.FromFormatFile(format, $"{tracefs.Root}/events/skb/kfree_skb/format")
            : null;
        dropReasons ??= btf is null ? null : DropReasonTable.FromBtf(btf);

        return new HostFacts(btfPath, btf)
        {
            Tracefs = tracefs,
            BtfProblem = btfProblem,
            DropReasons = dropReasons,
            EphemeralPorts = PortRange.ReadEphemeral(ephemeralRangePath),
            Cgroup2 = cgroup2Mount is null ? Cgroup2Mount.Discover(mountInfoPath) : new Cgroup2Mount(cgroup2Mount, "/"),
        };
    }

    /// <summary>The byte offset of a struct member on this kernel; throws <see cref="ProbeUnavailableException"/> when unknown.</summary>
    public int Offset(string structName, string member)
    {
        var btf = Btf ?? throw new ProbeUnavailableException(BtfProblem ?? "no kernel BTF");
        return btf.MemberOffset(structName, member)
            ?? throw new ProbeUnavailableException($"this kernel's BTF has no member '{member}' in struct {structName}");
    }

    /// <summary>Throws <see cref="ProbeUnavailableException"/> unless the tracepoint exists here.</summary>
    public void RequireTracepoint(string category, string name)
    {
        if (!Tracefs.IsMounted)
        {
            throw new ProbeUnavailableException($"tracefs is not mounted at {Tracefs.Root} (mount -t tracefs nodev {Tracefs.Root})");
        }

        if (!Tracefs.HasTracepoint(category, name))
        {
            throw new ProbeUnavailableException($"this kernel has no tracepoint {category}:{name}");
        }
    }
}
