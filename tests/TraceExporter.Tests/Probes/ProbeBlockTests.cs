using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

public sealed class ProbeBlockTests
{
    [Fact]
    public void Blocks_on_one_attach_point_become_one_program_with_each_predicate_as_an_if()
    {
        var text = ProbeBlock.Render(
        [
            new("tracepoint:sock:inet_sock_set_state", "args->newstate == 2", "@a = count();"),
            new("tracepoint:skb:kfree_skb", null, "@d = count();"),
            new("tracepoint:sock:inet_sock_set_state", "args->newstate == 1", "@b = count();"),
        ]);

        Assert.Equal(
            "tracepoint:sock:inet_sock_set_state {\n  if (args->newstate == 2) {\n    @a = count();\n  }\n  if (args->newstate == 1) {\n    @b = count();\n  }\n}\n\n"
            + "tracepoint:skb:kfree_skb {\n  @d = count();\n}\n\n",
            text);
    }

    [Fact]
    public void A_lone_block_keeps_its_predicate_as_a_filter()
    {
        Assert.Equal("kprobe:x /arg1 > 0/ {\n  @s = sum(arg1);\n}\n\n", ProbeBlock.Render([new("kprobe:x", "arg1 > 0", "@s = sum(arg1);")]));
    }

    [Fact]
    public void A_predicate_that_starts_with_a_dereference_does_not_open_a_comment()
    {
        Assert.Equal("rawtracepoint:vmlinux:x / *(uint16 *)(arg0 + 8) == 6 / {\n  @c = count();\n}\n\n",
            ProbeBlock.Render([new("rawtracepoint:vmlinux:x", "*(uint16 *)(arg0 + 8) == 6", "@c = count();")]));
    }
}
