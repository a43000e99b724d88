using Rein.Running;

namespace Rein.Tests.Supervision;

/// <summary>REIN_PARENT_RUN_IDS: a nested run's command carries the ids of the runs around it.</summary>
public sealed class ParentChainTests
{
    [Fact]
    public void The_chain_grows_by_the_hosts_run_id_outermost_first()
    {
        Assert.Null(ChildEnvironment.ParentChain(null, null));
        Assert.Equal("a", ChildEnvironment.ParentChain(null, "a"));
        Assert.Equal("a:b", ChildEnvironment.ParentChain("a", "b"));
        Assert.Equal("a", ChildEnvironment.ParentChain("a", ""));
    }

    [Fact]
    public void A_run_is_named_by_the_marker_or_by_a_whole_element_of_the_chain()
    {
        Assert.True(ChildEnvironment.Names("x", null, "x"));
        Assert.True(ChildEnvironment.Names("inner", "a:x:b", "x"));
        Assert.True(ChildEnvironment.Names(null, "x", "x"));
        Assert.False(ChildEnvironment.Names("inner", "a:xy:b", "x"));
        Assert.False(ChildEnvironment.Names("inner", "ax", "x"));
        Assert.False(ChildEnvironment.Names(null, null, "x"));
    }
}
