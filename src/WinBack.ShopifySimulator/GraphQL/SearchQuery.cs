using System.Globalization;
using System.Text.RegularExpressions;

namespace WinBack.ShopifySimulator.GraphQL;

/// <summary>
/// Shopify's search syntax for the <c>query:</c> argument, the part the sync uses: terms <c>field:value</c> with
/// <c>:</c>, <c>:&lt;</c>, <c>:&gt;</c>, <c>:&lt;=</c>, <c>:&gt;=</c>, joined by spaces or AND, quoted values, and <c>-</c> / NOT.
/// https://shopify.dev/docs/api/usage/search-syntax
/// </summary>
public sealed partial class SearchQuery
{
    private readonly List<Term> _terms;

    private sealed record Term(string Field, string Comparator, string Value, bool Negated);

    private SearchQuery(List<Term> terms) => _terms = terms;

    public static SearchQuery Parse(string? query)
    {
        var terms = new List<Term>();
        if (string.IsNullOrWhiteSpace(query)) return new SearchQuery(terms);
        var negateNext = false;
        foreach (Match m in TermPattern().Matches(query))
        {
            if (m.Groups["and"].Success) continue;
            if (m.Groups["not"].Success) { negateNext = true; continue; }
            var value = m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["bare"].Value;
            terms.Add(new Term(m.Groups["field"].Value.ToLowerInvariant(), m.Groups["cmp"].Value, value, negateNext || m.Groups["neg"].Success));
            negateNext = false;
        }
        return new SearchQuery(terms);
    }

    /// <summary>True when every term holds. <paramref name="field"/> gives an entity's value for a search field, or null if the entity has none.</summary>
    public bool Matches(Func<string, object?> field) => _terms.All(t => Holds(t, field(t.Field)) != t.Negated);

    private static bool Holds(Term term, object? actual)
    {
        switch (actual)
        {
            case DateTimeOffset at:
                return Compare(at.CompareTo(ParseDate(term.Value)), term.Comparator);
            case long number:
                return long.TryParse(term.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var expected)
                    && Compare(number.CompareTo(expected), term.Comparator);
            case bool flag:
                return bool.TryParse(term.Value, out var wanted) && flag == wanted;
            case string text:
                return string.Equals(text, term.Value, StringComparison.OrdinalIgnoreCase);
            case null:
                // "status:any" and other filters the simulator does not model match everything, as Shopify ignores unknown terms.
                return true;
            default:
                return false;
        }
    }

    private static DateTimeOffset ParseDate(string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new GraphQLRequestException($"Invalid date in search query: '{value}'.", "INVALID");

    private static bool Compare(int comparison, string comparator) => comparator switch
    {
        "<" => comparison < 0,
        "<=" => comparison <= 0,
        ">" => comparison > 0,
        ">=" => comparison >= 0,
        _ => comparison == 0,
    };

    [GeneratedRegex("""(?<and>\bAND\b)|(?<not>\bNOT\b)|(?<neg>-)?(?<field>[a-zA-Z_]+):(?<cmp><=|>=|<|>)?(?:'(?<quoted>[^']*)'|"(?<quoted>[^"]*)"|(?<bare>[^\s)]+))""")]
    private static partial Regex TermPattern();
}
