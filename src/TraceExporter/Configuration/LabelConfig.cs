namespace TraceExporter.Configuration;

public sealed record LabelConfig(string Name, LabelKind Kind)
{
    /// <summary>How many comma-separated parts of the printed key this label takes.</summary>
    public int KeyParts => Kind is LabelKind.PackedName or LabelKind.Interface ? 2 : 1;
}
