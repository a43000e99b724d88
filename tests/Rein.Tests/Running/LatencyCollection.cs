namespace Rein.Tests.Running;

/// <summary>Tests that assert on how fast something happens (a tree gone within 1 s of SIGKILL, a cap's reaction,
/// idle gaps) run one at a time, so the 100-contender lock test cannot starve them on a 2-core machine.</summary>
[CollectionDefinition("Latency", DisableParallelization = true)]
public sealed class LatencyCollection;
