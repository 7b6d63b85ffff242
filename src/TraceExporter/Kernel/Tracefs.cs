namespace TraceExporter.Kernel;

/// <summary>The kernel's tracing file system: which tracepoints exist here, and their format files.</summary>
public sealed class Tracefs(string root = Tracefs.DefaultRoot)
{
    public const string DefaultRoot = "/sys/kernel/tracing";

    public string Root { get; } = root;

    /// <summary>tracefs is mounted when its <c>events</c> folder is there.</summary>
    public bool IsMounted => Directory.Exists(Path.Combine(Root, "events"));

    public bool HasTracepoint(string category, string name) =>
        File.Exists(Path.Combine(Root, "events", category, name, "format"));

    /// <summary>kprobes can be created only where the kernel has <c>kprobe_events</c> (CONFIG_KPROBES).</summary>
    public bool HasKprobes => File.Exists(Path.Combine(Root, "kprobe_events"));

    public string? ReadFormat(string category, string name)
    {
        var path = Path.Combine(Root, "events", category, name, "format");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
