namespace Rein.Cadence;

/// <summary>A model load the cadence rules refuse now: <see cref="Block"/> names the earlier load in the way and
/// <see cref="Remaining"/> says how long until it clears.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1710",
    Justification = "The name the cadence API is known by (metal-guard's CadenceViolation)"
)]
public class CadenceViolation : Exception
{
    public CadenceViolation(CadenceBlock block)
        : base(Describe(block)) => Block = block;

    public CadenceBlock Block { get; }

    /// <summary>The earlier load that blocks this one.</summary>
    public CadenceLoad BlockingLoad => Block.Blocking;

    public TimeSpan Remaining => Block.Remaining;

    /// <summary>The exception for a block: <see cref="CrossModelCadenceViolation"/> when another model's load
    /// is in the way (cross-model interval or family floor).</summary>
    public static CadenceViolation For(CadenceBlock block) =>
        block.Rule is CadenceRule.CrossModel or CadenceRule.FamilyFloor
        || (block.Rule == CadenceRule.Clock && block.ClockRule != CadenceRule.SameModel)
            ? new CrossModelCadenceViolation(block)
            : new CadenceViolation(block);

    static string Describe(CadenceBlock b) =>
        $"cannot load '{b.Model}' yet ({CadenceBlock.RuleName(b.Rule)}): '{b.Blocking.Model}' was "
        + $"{(b.Blocking.Running ? "loaded" : "released")} at {b.Blocking.Reference:u}; "
        + $"{Math.Ceiling(b.Remaining.TotalSeconds)}s left";
}

/// <summary>A load blocked by another model's: the cross-model interval or a family's floor
/// (<see cref="Family"/>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1710",
    Justification = "The name the cadence API is known by (metal-guard's CrossModelCadenceViolation)"
)]
public sealed class CrossModelCadenceViolation : CadenceViolation
{
    public CrossModelCadenceViolation(CadenceBlock block)
        : base(block) { }

    /// <summary>The family whose floor applies, when one does.</summary>
    public ModelFamily? Family => Block.Family;
}
