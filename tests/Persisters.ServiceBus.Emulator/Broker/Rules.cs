using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>A subscription rule: a name, a filter, and (kept as given, not applied) an action.</summary>
public sealed class Rule
{
    public const string DefaultRuleName = "$Default";

    public Rule(string name, RuleFilter filter, XElement? filterXml, XElement? actionXml, DateTime createdAt)
    {
        Name = name;
        Filter = filter;
        FilterXml = filterXml;
        ActionXml = actionXml;
        CreatedAt = createdAt;
    }

    public string Name { get; }
    public RuleFilter Filter { get; }

    /// <summary>The Filter element as the administration client sent it (returned as is on GET).</summary>
    public XElement? FilterXml { get; }
    public XElement? ActionXml { get; }
    public DateTime CreatedAt { get; }

    public static Rule Default(DateTime now) => new(DefaultRuleName, TrueFilter.Instance, null, null, now);
}

/// <summary>Thrown when a filter cannot be evaluated for a message (e.g. comparing a string with a number).</summary>
public sealed class FilterEvaluationException(string message) : Exception(message);

public abstract class RuleFilter
{
    public abstract bool Matches(MessageInfo message);
}

/// <summary>Service Bus's TrueFilter (SQL "1=1"): every message.</summary>
public sealed class TrueFilter : RuleFilter
{
    public static readonly TrueFilter Instance = new();
    public override bool Matches(MessageInfo message) => true;
}

/// <summary>Service Bus's FalseFilter (SQL "1=0"): no message.</summary>
public sealed class FalseFilter : RuleFilter
{
    public static readonly FalseFilter Instance = new();
    public override bool Matches(MessageInfo message) => false;
}

/// <summary>
/// Service Bus's CorrelationFilter: every set system property must equal the message's (ordinal, case-sensitive),
/// and every listed application property must be present with an equal value.
/// </summary>
public sealed class CorrelationFilter : RuleFilter
{
    public string? CorrelationId { get; init; }
    public string? MessageId { get; init; }
    public string? To { get; init; }
    public string? ReplyTo { get; init; }
    public string? Subject { get; init; }
    public string? SessionId { get; init; }
    public string? ReplyToSessionId { get; init; }
    public string? ContentType { get; init; }
    public Dictionary<string, object?> ApplicationProperties { get; init; } = new(StringComparer.Ordinal);

    public override bool Matches(MessageInfo m)
    {
        static bool Same(string? want, string? have) => string.IsNullOrEmpty(want) || string.Equals(want, have, StringComparison.Ordinal);

        if (!Same(CorrelationId, m.CorrelationId) || !Same(MessageId, m.MessageId) || !Same(To, m.To)
            || !Same(ReplyTo, m.ReplyTo) || !Same(Subject, m.Subject) || !Same(SessionId, m.SessionId)
            || !Same(ReplyToSessionId, m.ReplyToSessionId) || !Same(ContentType, m.ContentType))
        {
            return false;
        }

        foreach (var (key, want) in ApplicationProperties)
        {
            if (!m.ApplicationProperties.TryGetValue(key, out object? have) || !SqlValues.AreEqual(want, have))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// A subset of Service Bus's SQL filter grammar: comparisons (=, &lt;&gt;, !=, &lt;, &lt;=, &gt;, &gt;=) of
/// properties and literals, AND / OR / NOT, parentheses, IS [NOT] NULL, [NOT] IN (...), [NOT] LIKE with % and _
/// (and ESCAPE), EXISTS(property), TRUE / FALSE / NULL, string, integer and decimal literals, and @parameters.
/// Properties: bare names and user.name are application properties; sys.MessageId, sys.CorrelationId, sys.To,
/// sys.ReplyTo, sys.Label (= sys.Subject), sys.SessionId, sys.ReplyToSessionId and sys.ContentType are system ones.
/// Arithmetic and functions other than EXISTS are rejected when the filter is created.
/// </summary>
public sealed class SqlFilter : RuleFilter
{
    private readonly SqlNode root;

    public SqlFilter(string expression, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        Expression = expression;
        root = new SqlParser(expression, parameters ?? new Dictionary<string, object?>()).ParseAll();
    }

    public string Expression { get; }

    public override bool Matches(MessageInfo message) => root.Evaluate(message) is true;
}

internal abstract class SqlNode
{
    public abstract object? Evaluate(MessageInfo message);
}

internal sealed class SqlLiteral(object? value) : SqlNode
{
    public override object? Evaluate(MessageInfo message) => value;
}

internal sealed class SqlProperty(string scope, string name) : SqlNode
{
    public override object? Evaluate(MessageInfo m)
    {
        if (scope == "sys")
        {
            return name.ToLowerInvariant() switch
            {
                "messageid" => m.MessageId,
                "correlationid" => m.CorrelationId,
                "to" => m.To,
                "replyto" => m.ReplyTo,
                "label" or "subject" => m.Subject,
                "sessionid" => m.SessionId,
                "replytosessionid" => m.ReplyToSessionId,
                "contenttype" => m.ContentType,
                _ => null,
            };
        }

        return m.ApplicationProperties.TryGetValue(name, out object? value) ? value : null;
    }

    public bool Exists(MessageInfo m) => scope == "sys" ? Evaluate(m) != null : m.ApplicationProperties.ContainsKey(name);
}

internal sealed class SqlUnary(string op, SqlNode operand) : SqlNode
{
    public override object? Evaluate(MessageInfo m)
    {
        object? value = operand.Evaluate(m);
        return op switch
        {
            "NOT" => value is bool b ? !b : null,
            "EXISTS" => ((SqlProperty)operand).Exists(m),
            "ISNULL" => value == null,
            "ISNOTNULL" => value != null,
            _ => throw new FilterEvaluationException($"Unknown operator {op}."),
        };
    }
}

internal sealed class SqlBinary(string op, SqlNode left, SqlNode right) : SqlNode
{
    public override object? Evaluate(MessageInfo m)
    {
        if (op == "AND")
        {
            object? l = left.Evaluate(m);
            if (l is false) { return false; }
            object? r = right.Evaluate(m);
            if (r is false) { return false; }
            return l is true && r is true ? true : null;
        }

        if (op == "OR")
        {
            object? l = left.Evaluate(m);
            if (l is true) { return true; }
            object? r = right.Evaluate(m);
            if (r is true) { return true; }
            return l is false && r is false ? false : null;
        }

        object? a = left.Evaluate(m), b = right.Evaluate(m);
        if (a == null || b == null)
        {
            return null;
        }

        if (op is "=" or "<>")
        {
            bool equal = SqlValues.AreEqual(a, b);
            return op == "=" ? equal : !equal;
        }

        int cmp = SqlValues.Compare(a, b);
        return op switch
        {
            "<" => cmp < 0,
            "<=" => cmp <= 0,
            ">" => cmp > 0,
            ">=" => cmp >= 0,
            _ => throw new FilterEvaluationException($"Unknown operator {op}."),
        };
    }
}

internal sealed class SqlIn(SqlNode value, List<SqlNode> items, bool negate) : SqlNode
{
    public override object? Evaluate(MessageInfo m)
    {
        object? v = value.Evaluate(m);
        if (v == null) { return null; }
        bool found = items.Any(i => SqlValues.AreEqual(v, i.Evaluate(m)));
        return negate ? !found : found;
    }
}

internal sealed class SqlLike(SqlNode value, Regex pattern, bool negate) : SqlNode
{
    public override object? Evaluate(MessageInfo m)
    {
        if (value.Evaluate(m) is not string s) { return null; }
        bool match = pattern.IsMatch(s);
        return negate ? !match : match;
    }
}

internal static class SqlValues
{
    public static bool AreEqual(object? a, object? b)
    {
        if (a == null || b == null) { return a == null && b == null; }
        if (IsNumber(a) && IsNumber(b)) { return Convert.ToDecimal(a, CultureInfo.InvariantCulture) == Convert.ToDecimal(b, CultureInfo.InvariantCulture); }
        if (a is string || b is string) { return string.Equals(a.ToString(), b.ToString(), StringComparison.Ordinal) && a.GetType() == b.GetType(); }
        return a.Equals(b);
    }

    public static int Compare(object a, object b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return Convert.ToDecimal(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDecimal(b, CultureInfo.InvariantCulture));
        }

        if (a is string sa && b is string sb) { return string.CompareOrdinal(sa, sb); }
        if (a is DateTime da && b is DateTime db) { return da.CompareTo(db); }
        throw new FilterEvaluationException($"Cannot compare {a.GetType().Name} with {b.GetType().Name}.");
    }

    private static bool IsNumber(object v) => v is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;
}

/// <summary>Recursive-descent parser for the SQL filter subset; throws <see cref="FormatException"/> naming the problem.</summary>
internal sealed class SqlParser
{
    private readonly List<string> tokens;
    private readonly IReadOnlyDictionary<string, object?> parameters;
    private int position;

    public SqlParser(string text, IReadOnlyDictionary<string, object?> parameters)
    {
        this.parameters = parameters;
        tokens = Tokenize(text);
    }

    public SqlNode ParseAll()
    {
        SqlNode node = ParseOr();
        if (position < tokens.Count)
        {
            throw new FormatException($"Unexpected '{tokens[position]}' in SQL filter.");
        }

        return node;
    }

    private string? Peek => position < tokens.Count ? tokens[position] : null;
    private bool PeekKeyword(string keyword) => string.Equals(Peek, keyword, StringComparison.OrdinalIgnoreCase);

    private string Next()
    {
        if (position >= tokens.Count) { throw new FormatException("Unexpected end of SQL filter."); }
        return tokens[position++];
    }

    private void Expect(string token)
    {
        string next = Next();
        if (!string.Equals(next, token, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"Expected '{token}' but found '{next}' in SQL filter.");
        }
    }

    private SqlNode ParseOr()
    {
        SqlNode left = ParseAnd();
        while (PeekKeyword("OR")) { Next(); left = new SqlBinary("OR", left, ParseAnd()); }
        return left;
    }

    private SqlNode ParseAnd()
    {
        SqlNode left = ParseNot();
        while (PeekKeyword("AND")) { Next(); left = new SqlBinary("AND", left, ParseNot()); }
        return left;
    }

    private SqlNode ParseNot()
    {
        if (PeekKeyword("NOT")) { Next(); return new SqlUnary("NOT", ParseNot()); }
        return ParsePredicate();
    }

    private SqlNode ParsePredicate()
    {
        if (PeekKeyword("EXISTS"))
        {
            Next();
            Expect("(");
            SqlNode property = ParsePrimary();
            Expect(")");
            if (property is not SqlProperty) { throw new FormatException("EXISTS takes a property name."); }
            return new SqlUnary("EXISTS", property);
        }

        SqlNode left = ParsePrimary();
        if (PeekKeyword("IS"))
        {
            Next();
            bool not = PeekKeyword("NOT");
            if (not) { Next(); }
            Expect("NULL");
            return new SqlUnary(not ? "ISNOTNULL" : "ISNULL", left);
        }

        bool negate = false;
        if (PeekKeyword("NOT")) { Next(); negate = true; }
        if (PeekKeyword("IN"))
        {
            Next();
            Expect("(");
            var items = new List<SqlNode> { ParsePrimary() };
            while (Peek == ",") { Next(); items.Add(ParsePrimary()); }
            Expect(")");
            return new SqlIn(left, items, negate);
        }

        if (PeekKeyword("LIKE"))
        {
            Next();
            if (ParsePrimary() is not SqlLiteral { } literal || literal.Evaluate(null!) is not string pattern)
            {
                throw new FormatException("LIKE takes a string literal pattern.");
            }

            char? escape = null;
            if (PeekKeyword("ESCAPE"))
            {
                Next();
                if (ParsePrimary().Evaluate(null!) is not string { Length: 1 } e) { throw new FormatException("ESCAPE takes one character."); }
                escape = e[0];
            }

            return new SqlLike(left, LikeToRegex(pattern, escape), negate);
        }

        if (negate) { throw new FormatException("NOT must be followed by IN or LIKE here."); }
        if (Peek is "=" or "<>" or "!=" or "<" or "<=" or ">" or ">=")
        {
            string op = Next();
            return new SqlBinary(op == "!=" ? "<>" : op, left, ParsePrimary());
        }

        return left;
    }

    private SqlNode ParsePrimary()
    {
        string token = Next();
        if (token == "(")
        {
            SqlNode inner = ParseOr();
            Expect(")");
            return inner;
        }

        if (token.StartsWith('\'')) { return new SqlLiteral(token[1..^1].Replace("''", "'")); }
        if (token.StartsWith('@'))
        {
            return parameters.TryGetValue(token, out object? value) || parameters.TryGetValue(token[1..], out value)
                ? new SqlLiteral(value)
                : throw new FormatException($"SQL filter parameter {token} has no value.");
        }

        if (char.IsDigit(token[0]) || (token[0] == '-' && token.Length > 1))
        {
            if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) { return new SqlLiteral(l); }
            if (decimal.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d)) { return new SqlLiteral(d); }
            throw new FormatException($"'{token}' is not a number.");
        }

        switch (token.ToUpperInvariant())
        {
            case "TRUE": return new SqlLiteral(true);
            case "FALSE": return new SqlLiteral(false);
            case "NULL": return new SqlLiteral(null);
        }

        if (token.StartsWith('[') || char.IsLetter(token[0]) || token[0] == '_' || token[0] == '$')
        {
            string name = token.Trim('[', ']');
            int dot = name.IndexOf('.');
            if (dot > 0 && name[..dot].ToLowerInvariant() is "sys" or "user")
            {
                return new SqlProperty(name[..dot].ToLowerInvariant(), name[(dot + 1)..].Trim('[', ']'));
            }

            if (Peek == "(")
            {
                throw new FormatException($"Function '{name}' is not supported by the emulator's SQL filter subset.");
            }

            return new SqlProperty("user", name);
        }

        throw new FormatException($"Unexpected '{token}' in SQL filter (arithmetic is not supported by the emulator).");
    }

    private static Regex LikeToRegex(string pattern, char? escape)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (escape == c && i + 1 < pattern.Length) { regex.Append(Regex.Escape(pattern[++i].ToString())); }
            else if (c == '%') { regex.Append(".*"); }
            else if (c == '_') { regex.Append('.'); }
            else { regex.Append(Regex.Escape(c.ToString())); }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    private static List<string> Tokenize(string text)
    {
        var result = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '\'')
            {
                int start = i++;
                while (true)
                {
                    if (i >= text.Length) { throw new FormatException("Unterminated string literal in SQL filter."); }
                    if (text[i] == '\'' && i + 1 < text.Length && text[i + 1] == '\'') { i += 2; continue; }
                    if (text[i] == '\'') { i++; break; }
                    i++;
                }

                result.Add(text[start..i]);
                continue;
            }

            if (c == '[')
            {
                int end = text.IndexOf(']', i);
                if (end < 0) { throw new FormatException("Unterminated [name] in SQL filter."); }
                int stop = end + 1;
                while (stop < text.Length && (char.IsLetterOrDigit(text[stop]) || text[stop] is '_' or '.' or '[' or ']')) { stop++; }
                result.Add(text[i..stop]);
                i = stop;
                continue;
            }

            if (c is '(' or ')' or ',' or '=') { result.Add(c.ToString()); i++; continue; }
            if (c is '<' or '>' or '!')
            {
                string two = i + 1 < text.Length ? text.Substring(i, 2) : c.ToString();
                if (two is "<>" or "<=" or ">=" or "!=") { result.Add(two); i += 2; }
                else if (c == '!') { throw new FormatException("Unexpected '!' in SQL filter."); }
                else { result.Add(c.ToString()); i++; }
                continue;
            }

            if (char.IsDigit(c) || (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                int start = i++;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] is '.' or 'e' or 'E')) { i++; }
                result.Add(text[start..i]);
                continue;
            }

            if (char.IsLetter(c) || c is '_' or '@' or '$')
            {
                int start = i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-' or '$' or '[' or ']')) { i++; }
                result.Add(text[start..i]);
                continue;
            }

            throw new FormatException($"Unexpected character '{c}' in SQL filter (arithmetic is not supported by the emulator).");
        }

        return result;
    }
}
