using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;

namespace Persisters.Persistence.Writers;

/// <summary>
/// A parameterised multi-row insert of one table's rows: one statement per chunk, the statement text
/// cached per (table, row count) so full chunks reuse it.
/// </summary>
public sealed class MultiRowInsert<T>
{
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

    /// <summary>Inserts the rows in chunks; returns how many rows were actually added (duplicates excluded).</summary>
    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<T> rows, int chunkSize, CancellationToken ct)
    {
        var added = 0;
        for (var offset = 0; offset < rows.Count; offset += chunkSize)
        {
            var count = Math.Min(chunkSize, rows.Count - offset);
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = transaction;
            cmd.CommandText = _statements.GetOrAdd(count, BuildStatement);
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
        }
        return added;
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
