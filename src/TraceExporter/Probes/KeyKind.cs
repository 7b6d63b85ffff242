namespace TraceExporter.Probes;

/// <summary>How a built-in probe's numeric map key becomes a label value.</summary>
public enum KeyKind
{
    /// <summary>Two u64 holding the 16 bytes of a task's comm, read raw from kernel memory.</summary>
    Comm,

    /// <summary>Two u64 holding the 16 bytes of a network device's name.</summary>
    Interface,

    /// <summary>A plain number, e.g. a port.</summary>
    Number,

    /// <summary>A drop reason number, named from the running kernel's table.</summary>
    DropReason,
}
