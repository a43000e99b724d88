using System.Text;
using System.Text.RegularExpressions;

namespace Rein.Tests.Platform.Apple;

/// <summary>
/// Every function Apple's headers (as Zig ships them, all macOS versions and architectures) declare with "...": a
/// P/Invoke of one with a fixed argument list is wrong on Apple arm64, where variadic arguments go on the stack.
/// </summary>
internal static partial class AppleVariadics
{
    static readonly Lazy<IReadOnlySet<string>> s_all = new(Scan);

    public static IReadOnlySet<string> All => s_all.Value;

    static IReadOnlySet<string> Scan()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var dir in Zig.AppleIncludeDirectories())
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*.h", SearchOption.AllDirectories))
            {
                foreach (var name in Declared(File.ReadAllText(file)))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    /// <summary>The names of the variadic functions declared in one header's text.</summary>
    public static IEnumerable<string> Declared(string header)
    {
        var code = Code(header);
        for (
            var dots = code.IndexOf("...", StringComparison.Ordinal);
            dots >= 0;
            dots = code.IndexOf("...", dots + 3, StringComparison.Ordinal)
        )
        {
            // Back to the '(' that opens this parameter list; the identifier before it is the function's name
            // (a ')' there is a pointer to a variadic function, not a declaration of one).
            var depth = 0;
            var i = dots - 1;
            for (; i >= 0; i--)
            {
                if (code[i] == ')')
                {
                    depth++;
                }
                else if (code[i] == '(' && depth-- == 0)
                {
                    break;
                }
                else if (code[i] is ';' or '{' or '}')
                {
                    i = -1;
                    break;
                }
            }

            if (i > 0 && Identifier().Match(code[..i]) is { Success: true } m)
            {
                yield return m.Groups[1].Value;
            }
        }
    }

    /// <summary>The header without comments and preprocessor lines (variadic macros are not functions).</summary>
    static string Code(string header)
    {
        var text = BlockComment().Replace(header, " ");
        text = LineComment().Replace(text, "");
        var code = new StringBuilder(text.Length);
        var continued = false;
        foreach (var line in text.Split('\n'))
        {
            var directive = continued || line.TrimStart().StartsWith('#');
            continued = directive && line.TrimEnd().EndsWith('\\');
            if (!directive)
            {
                code.Append(line).Append('\n');
            }
        }

        return code.ToString();
    }

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_]*)\s*$", RegexOptions.RightToLeft)]
    private static partial Regex Identifier();
}
