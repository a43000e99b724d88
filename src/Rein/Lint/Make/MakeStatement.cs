namespace Rein.Lint.Make;

/// <summary>One statement of a makefile, in reading order, with the file and line it starts on.</summary>
public abstract record MakeStatement(string File, int Line);

/// <summary><c>NAME OP VALUE</c>, globally or for targets (<c>t: NAME OP VALUE</c>), also <c>define NAME OP</c>.
/// <paramref name="Operator"/> is one of <c>=</c>, <c>:=</c>, <c>::=</c>, <c>:::=</c>, <c>?=</c>, <c>+=</c>, <c>!=</c>.</summary>
public sealed record MakeAssignment(
    string File,
    int Line,
    string Name,
    string Operator,
    MakeText Value,
    bool Override,
    bool Export,
    bool Private,
    IReadOnlyList<string>? ForTargets
) : MakeStatement(File, Line);

/// <summary>A rule line: its targets and prerequisites (normal and order-only), both expanded while make reads.</summary>
public sealed record MakeRule(
    string File,
    int Line,
    IReadOnlyList<string> Targets,
    MakeText TargetText,
    MakeText Prerequisites
) : MakeStatement(File, Line);

/// <summary>A recipe line of <paramref name="Targets"/>: expanded only when one of their recipes runs (or is
/// printed by <c>make -n</c>).</summary>
public sealed record MakeRecipeLine(
    string File,
    int Line,
    MakeText Text,
    IReadOnlyList<string> Targets
) : MakeStatement(File, Line);

/// <summary>Text make expands while it reads the makefile: a conditional's arguments, a top-level function call
/// (<c>$(eval ...)</c>, <c>$(info ...)</c>), a <c>vpath</c> line. <paramref name="Where"/> says which.</summary>
public sealed record MakeParseTimeText(string File, int Line, MakeText Text, string Where)
    : MakeStatement(File, Line);

/// <summary><c>include</c>, <c>-include</c>, <c>sinclude</c>: the names are expanded while reading.</summary>
public sealed record MakeInclude(string File, int Line, MakeText Names, bool Optional)
    : MakeStatement(File, Line);

/// <summary><c>export NAMES</c> / <c>unexport NAMES</c>; no names means every variable.</summary>
public sealed record MakeExport(string File, int Line, IReadOnlyList<string> Names, bool Export)
    : MakeStatement(File, Line);
