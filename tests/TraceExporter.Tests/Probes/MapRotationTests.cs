using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

public sealed class MapRotationTests
{
    private static readonly HashSet<string> Delta = ["@a", "@b"];

    [Fact]
    public void Each_write_of_a_delta_map_goes_to_the_copy_the_slot_names_each_on_a_line_of_its_own()
    {
        var rotated = MapRotation.Rewrite("k { @a[pid] = count(); @b = sum(args->ret); @other = count(); }", Delta);

        Assert.Equal(
            "k { if (@te_slot == 1) {\n@a_te1[pid] = count();\n} else {\n@a_te0[pid] = count();\n} if (@te_slot == 1) {\n@b_te1 = sum(args->ret);\n} else {\n@b_te0 = sum(args->ret);\n} @other = count(); }",
            rotated);
    }

    [Fact]
    public void Increments_and_writes_without_a_semicolon_are_rotated_too()
    {
        var rotated = MapRotation.Rewrite("k { @a[tid]++ }", Delta);

        Assert.Equal("k { if (@te_slot == 1) {\n@a_te1[tid]++;\n} else {\n@a_te0[tid]++;\n} }", rotated);
    }

    [Fact]
    public void A_delta_map_that_the_program_also_reads_cannot_be_rotated()
    {
        var error = Assert.Throws<ArgumentException>(() => MapRotation.Rewrite("k { @a = count(); }\ni { print(@a); }", Delta));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_delta_maps_the_program_is_unchanged()
    {
        const string program = "k { @a = count(); }";

        Assert.Same(program, MapRotation.Rewrite(program, new HashSet<string>()));
    }
}
