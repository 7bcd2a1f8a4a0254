using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;

namespace Persisters.Persistence.Writers;

/// <summary>
/// A parameterised multi-row insert of one table's rows: one statement per chunk, the statement text
/// cached per (table, row count) so full chunks reuse it. A chunk ends at the row limit or when its data would pass
/// <see cref="MaxStatementBytes"/>, whichever comes first: the server limits a statement in bytes
/// (max_allowed_packet), not rows, and 500 rows of 64 KiB user data are 32 MiB.
/// </summary>
public sealed class MultiRowInsert<T>
{
    /// <summary>
    /// Data per statement, in UTF-8 bytes of text (bounded by 3 per UTF-16 unit) plus 24 per other value: 4 MiB. MySqlConnector writes parameters into
    /// the statement text, where escaping at most doubles text, so a statement stays under 8 MiB, half of MariaDB's
    /// default max_allowed_packet (16 MiB; MySQL 8's is 64 MiB). A single larger row still goes alone.
    /// </summary>
    public const int MaxStatementBytes = 4 * 1024 * 1024;

    private readonly string _prefix;
    private readonly Column[] _columns;
    private readonly ConcurrentDictionary<int, string> _statements = new();

    public MultiRowInsert(string insertKeyword, string table, params Column[] columns)
    {
        _columns = columns;
        _prefix = $"{insertKeyword} {table} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ";
    }

    public readonly record struct Column(string Name, Func<T, object?> Value);

    public static Column Col(string name, Func<T, object?> value) => new(name, value);

    /// <summary>
    /// Inserts the rows in chunks of at most <see cref="DbSession.ChunkSize"/> rows, on the session's connection and in its
    /// transaction (none when it has none); returns how many rows were actually added (duplicates excluded). Throws what the
    /// provider throws (a <see cref="DbException"/> on a server error).
    /// </summary>
    public async Task<int> ExecuteAsync(DbSession session, IReadOnlyList<T> rows, CancellationToken ct)
    {
        var added = 0;
        for (var offset = 0; offset < rows.Count;)
        {
            var count = ChunkLength(rows, offset, session.ChunkSize);
            await using var cmd = session.Command(_statements.GetOrAdd(count, BuildStatement));
            var p = 0;
            for (var r = 0; r < count; r++)
            {
                var row = rows[offset + r];
                foreach (var column in _columns)
                {
                    var parameter = cmd.CreateParameter();
                    parameter.ParameterName = "@p" + p++;
                    parameter.Value = column.Value(row) ?? DBNull.Value;
                    cmd.Parameters.Add(parameter);
                }
            }
            added += await cmd.ExecuteNonQueryAsync(ct);
            offset += count;
        }
        return added;
    }

    /// <summary>How many rows from <paramref name="offset"/> the next statement takes: at least one, at most chunkSize and <see cref="MaxStatementBytes"/>.</summary>
    private int ChunkLength(IReadOnlyList<T> rows, int offset, int chunkSize)
    {
        var count = 0;
        long bytes = 0;
        while (offset + count < rows.Count && count < chunkSize)
        {
            var rowBytes = 0L;
            foreach (var column in _columns)
            {
                // 3 bytes per UTF-16 unit bounds its UTF-8 size without reading the text.
                rowBytes += column.Value(rows[offset + count]) is string text ? 3L * text.Length + 2 : 24;
            }
            if (count > 0 && bytes + rowBytes > MaxStatementBytes) break;
            bytes += rowBytes;
            count++;
        }
        return count;
    }

    private string BuildStatement(int rowCount)
    {
        var sb = new StringBuilder(_prefix, _prefix.Length + rowCount * _columns.Length * 8);
        var p = 0;
        for (var r = 0; r < rowCount; r++)
        {
            sb.Append(r == 0 ? "(" : ",(");
            for (var c = 0; c < _columns.Length; c++)
            {
                if (c > 0) sb.Append(',');
                sb.Append("@p").Append(p++);
            }
            sb.Append(')');
        }
        return sb.ToString();
    }
}
