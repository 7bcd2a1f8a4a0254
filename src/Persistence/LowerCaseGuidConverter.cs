using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Persisters.Persistence;

/// <summary>Stores a Guid as its lower-case "D" text.</summary>
public sealed class LowerCaseGuidConverter() : ValueConverter<Guid, string>(g => g.ToString("D"), s => Guid.Parse(s));
