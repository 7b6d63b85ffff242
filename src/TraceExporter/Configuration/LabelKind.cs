namespace TraceExporter.Configuration;

/// <summary>What one part of a map key is, so the daemon can read it back exactly.</summary>
public enum LabelKind
{
    /// <summary>An integer part, written in decimal.</summary>
    Number,

    /// <summary>A string part (at most one per key: it may contain commas). Spaces are lost on bpftrace ≥ 0.24.</summary>
    Text,

    /// <summary>
    /// Two integer parts holding 16 raw bytes of a name read from kernel memory, e.g. comm:
    /// <c>*(uint64 *)((uint64)curtask + OFFSET), *(uint64 *)((uint64)curtask + OFFSET + 8)</c>. Exact for any bytes.
    /// </summary>
    PackedName,

    /// <summary>An integer drop reason, named as the running kernel names it.</summary>
    DropReason,

    /// <summary>A network device name packed like <see cref="PackedName"/>; no device (all zero) reads <c>unknown</c>.</summary>
    Interface,

    /// <summary>A TCP/UDP port number; ports in the host's ephemeral range (<c>net.ipv4.ip_local_port_range</c>) read <c>ephemeral</c>.</summary>
    Port,

    /// <summary>
    /// A cgroup v2 id (bpftrace's <c>cgroup</c>, or a socket's cgroup): resolved by the daemon to the cgroup's
    /// path, from which it gives the labels <see cref="LabelConfig.CgroupLabels"/> asks for (cgroup, unit,
    /// container_id, pod_uid).
    /// </summary>
    Cgroup,
}
