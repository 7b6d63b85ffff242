namespace TraceExporter.Configuration;

/// <summary>
/// One part of a map key and the label(s) it becomes: one label of <see cref="Name"/>, or for a
/// <see cref="LabelKind.Cgroup"/> part, the labels <see cref="CgroupLabels"/> names.
/// </summary>
public sealed record LabelConfig(string Name, LabelKind Kind)
{
    /// <summary>The labels a cgroup id can give, in the order they are shown.</summary>
    public static readonly IReadOnlyList<string> CgroupLabelNames = ["cgroup", "unit", "container_id", "pod_uid"];

    /// <summary>For a <see cref="LabelKind.Cgroup"/> part: which of <see cref="CgroupLabelNames"/> it gives.</summary>
    public IReadOnlyList<string> CgroupLabels { get; init; } = ["cgroup"];

    /// <summary>How many comma-separated parts of the printed key this label takes.</summary>
    public int KeyParts => Kind is LabelKind.PackedName or LabelKind.Interface ? 2 : 1;

    /// <summary>The label names this key part becomes on the page.</summary>
    public IReadOnlyList<string> Names => Kind == LabelKind.Cgroup ? CgroupLabels : [Name];

    /// <summary>A cgroup key part giving <paramref name="labels"/> (in <see cref="CgroupLabelNames"/> order).</summary>
    public static LabelConfig Cgroup(IEnumerable<string> labels) =>
        new("cgroup", LabelKind.Cgroup) { CgroupLabels = [.. CgroupLabelNames.Where(labels.Contains)] };

    public bool Equals(LabelConfig? other) =>
        other is not null && Name == other.Name && Kind == other.Kind && CgroupLabels.SequenceEqual(other.CgroupLabels);

    public override int GetHashCode() => HashCode.Combine(Name, Kind);
}
