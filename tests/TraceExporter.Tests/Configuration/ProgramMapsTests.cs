using TraceExporter.Configuration;

namespace TraceExporter.Tests.Configuration;

public sealed class ProgramMapsTests
{
    public static TheoryData<string, string, MapUseKind, string?, string> Uses => new()
    {
        // program, map, kind, function, the text of the use (from '@' to its end)
        { "k { @a = count(); }", "@a", MapUseKind.Aggregation, "count", "@a = count()" },
        { "k { @a[pid, comm] = sum(args->ret); }", "@a", MapUseKind.Aggregation, "sum", "@a[pid, comm] = sum(args->ret)" },
        { "k { @h[\"x]y\"] = hist($v) }", "@h", MapUseKind.Aggregation, "hist", "@h[\"x]y\"] = hist($v)" },
        { "k { @l = lhist($v, 0, 100, (1 + 9)); }", "@l", MapUseKind.Aggregation, "lhist", "@l = lhist($v, 0, 100, (1 + 9))" },
        { "k { @a[tid]++; }", "@a", MapUseKind.Increment, null, "@a[tid]++" },
        { "k { @a-- }", "@a", MapUseKind.Increment, null, "@a--" },
        { "k { @start[tid] = nsecs; }", "@start", MapUseKind.Assignment, null, "@start[tid] = nsecs" },
        { "k { @s[1] += 5; }", "@s", MapUseKind.Assignment, null, "@s[1] += 5" },
        { "k { @x = count_me(1); }", "@x", MapUseKind.Assignment, null, "@x = count_me(1)" },
        { "k /@start[tid] != 0/ { }", "@start", MapUseKind.Other, null, "@start[tid]" },
        { "k { @a[1] == 2 }", "@a", MapUseKind.Other, null, "@a[1]" },
        { "i { print(@a); clear(@a); }", "@a", MapUseKind.Other, null, "@a" },
        { "k { delete(@start[tid]); }", "@start", MapUseKind.Other, null, "@start[tid]" },
    };

    [Theory]
    [MemberData(nameof(Uses))]
    public void A_use_is_told_apart_and_spans_its_statement(string program, string map, MapUseKind kind, string? function, string text)
    {
        var use = ProgramMaps.Scan(program).First(u => u.Map == map);

        Assert.Equal(kind, use.Kind);
        Assert.Equal(function, use.Function);
        Assert.Equal(text, program[use.Start..use.End]);
    }

    [Fact]
    public void Strings_and_comments_are_not_maps_and_lines_are_counted_through_them()
    {
        var uses = ProgramMaps.Scan("k {\n printf(\"@no = count()\\n\"); // @nor = count()\n /* @none\n = count() */ @yes = count();\n}");

        var use = Assert.Single(uses);
        Assert.Equal("@yes", use.Map);
        Assert.Equal(4, use.Line);
    }

    [Fact]
    public void A_statement_end_takes_the_semicolon_that_follows()
    {
        const string program = "k { @a = count() ; @b = sum(1) }";
        var uses = ProgramMaps.Scan(program);

        Assert.Equal("@a = count() ;", program[uses[0].Start..uses[0].StatementEnd]);
        Assert.Equal("@b = sum(1)", program[uses[1].Start..uses[1].StatementEnd]);
    }

    [Theory]
    [InlineData("k { @a[ = count(); }")]
    [InlineData("k { @a = count(; }")]
    [InlineData("\"unclosed @a = count()")]
    [InlineData("@")]
    [InlineData("/* @a = count()")]
    public void Malformed_text_never_throws(string program)
    {
        _ = ProgramMaps.Scan(program);
    }

    [Fact]
    public void A_map_name_that_starts_another_is_not_it()
    {
        var uses = ProgramMaps.Scan("k { @ab = count(); @a = sum(1); }");

        Assert.Equal(["@ab", "@a"], uses.Select(u => u.Map));
    }
}
