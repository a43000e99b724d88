using System.Text;
using System.Text.RegularExpressions;

namespace Rein.Lint.Make;

/// <summary>
/// Decides whether a shell command starts something heavy: an interpreter or a heavy tool at a command position
/// (python, node, uv, pip, docker, ... — also behind a make variable such as <c>$(PYTHON)</c>, followed to its
/// value when the makefile sets it), or an import of an ML library (spacy, torch, transformers, whisper, mlx, ...).
/// A heuristic over the text, never a shell parser: docs/manual/prevent.md says where it can be wrong.
/// </summary>
internal static partial class HeavyCommand
{
    [GeneratedRegex(
        @"^(python[0-9.]*|pypy[0-9.]*|node|nodejs|deno|bun|uv|uvx|pip[0-9.]*|pipx|poetry|pipenv|conda|mamba|micromamba|npm|npx|pnpm|yarn|docker|docker-compose|podman|java|ruby|Rscript|julia|pytest|jupyter|torchrun|accelerate)$"
    )]
    private static partial Regex HeavyProgram();

    [GeneratedRegex(
        @"(?:^|_)(PYTHON[0-9.]*|PY|PYTEST|NODE|NPM|NPX|UV|UVX|PIP[0-9]*|DOCKER|PODMAN|CONDA|POETRY|JAVA)(?:_|$)"
    )]
    private static partial Regex HeavyVariable();

    [GeneratedRegex(
        @"\b(?:import|from)\s+(spacy|torch|torchvision|torchaudio|transformers|whisper|faster_whisper|mlx|mlx_lm|tensorflow|keras|jax|sentence_transformers|diffusers|vllm|llama_cpp)\b"
    )]
    private static partial Regex MlImport();

    static readonly HashSet<string> Prefixes =
    [
        "env",
        "exec",
        "command",
        "nice",
        "nohup",
        "time",
        "sudo",
        "xargs",
        "then",
        "do",
        "else",
        "if",
        "while",
        "until",
        "!",
        "{",
        "stdbuf",
        "ionice",
        "timeout",
    ];

    const char VariableStart = '\u0001';
    const char VariableEnd = '\u0002';

    /// <summary>Why the command is heavy ("starts python3 and imports spacy"), or null when it looks cheap.</summary>
    public static string? Why(string command, Func<string, string?> valueOf)
    {
        var resolved = Resolve(command, valueOf, 0);
        var reasons = new List<string>();
        if (Programs(resolved).FirstOrDefault() is { } program)
        {
            reasons.Add($"starts {program}");
        }

        if (MlImport().Match(resolved) is { Success: true } m)
        {
            reasons.Add($"imports {m.Groups[1].Value}");
        }

        return reasons.Count == 0 ? null : string.Join(" and ", reasons);
    }

    /// <summary>The command with make's <c>$$</c> unescaped (what the shell sees), for messages.</summary>
    public static string Unescape(string command) =>
        command.Replace("$$", "$", StringComparison.Ordinal);

    /// <summary>Replaces make variable references by their values where the makefile sets them; an unknown one
    /// becomes a marked placeholder so that <c>$(PYTHON)</c> can still be judged by its name.</summary>
    static string Resolve(string text, Func<string, string?> valueOf, int depth)
    {
        var b = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 >= text.Length)
            {
                b.Append(text[i]);
                continue;
            }

            if (text[i + 1] == '$')
            {
                b.Append('$');
                i++;
                continue;
            }

            var close = MakeSyntax.SkipReference(text, i);
            var inner = text[i + 1] is '(' or '{'
                ? text[(i + 2)..Math.Max(i + 2, close - 1)]
                : text[(i + 1)..close];
            var isName =
                inner.Length > 0
                && inner.All(c => !char.IsWhiteSpace(c) && c is not ('$' or ':' or ','));
            // A variable named like an interpreter ($(PYTHON), $(VENV_PYTHON)) is judged by its name: its value
            // is often a path or $(shell which python3) that says less.
            if (
                isName
                && (
                    depth >= 8
                    || HeavyVariable().IsMatch(inner.ToUpperInvariant())
                    || valueOf(inner) is null
                )
            )
            {
                b.Append(VariableStart).Append(inner).Append(VariableEnd);
            }
            else if (isName)
            {
                b.Append(Resolve(valueOf(inner)!, valueOf, depth + 1));
            }
            else
            {
                // A function call inside the command: keep its text (its own words are judged too).
                b.Append(' ').Append(Resolve(inner, valueOf, depth + 1)).Append(' ');
            }

            i = close - 1;
        }

        return b.ToString();
    }

    /// <summary>Heavy programs at a command position: after a separator, a quote (the text of <c>sh -c "..."</c>
    /// is a command too), a command substitution, or prefixes such as <c>env A=1</c>.</summary>
    static IEnumerable<string> Programs(string command)
    {
        var segments = command.Split([';', '|', '&', '\n', '(', ')', '`', '"', '\'']);
        foreach (var segment in segments)
        {
            var words = segment.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            foreach (var word in words)
            {
                // Options, prefixes (env A=1, nice -n 5, timeout 10s) and their values come before the program.
                if (
                    word.StartsWith('-')
                    || Prefixes.Contains(word)
                    || IsAssignment(word)
                    || IsNumber(word)
                )
                {
                    continue;
                }

                if (word[0] == VariableStart)
                {
                    var name = word.Trim(VariableStart, VariableEnd);
                    if (HeavyVariable().IsMatch(name.ToUpperInvariant()))
                    {
                        yield return $"$({name})";
                    }
                }
                else
                {
                    var program = word[(word.LastIndexOf('/') + 1)..];
                    if (HeavyProgram().IsMatch(program))
                    {
                        yield return program;
                    }
                }

                break;
            }
        }
    }

    static bool IsNumber(string word) => word.Length > 0 && char.IsAsciiDigit(word[0]);

    static bool IsAssignment(string word)
    {
        var eq = word.IndexOf('=', StringComparison.Ordinal);
        return eq > 0
            && (char.IsLetter(word[0]) || word[0] == '_')
            && !word[..eq].Contains('/', StringComparison.Ordinal);
    }
}
