using System.Collections;

namespace WinBack.Web.Predictions;

/// <summary>
/// A read-only view of a list through a projection: the refit hands the models and RFM one field of a million customer
/// histories without a copy of each (tens of megabytes apiece at that size).
/// </summary>
internal sealed class ProjectedList<TSource, T>(IReadOnlyList<TSource> source, Func<TSource, T> project) : IReadOnlyList<T>
{
    public T this[int index] => project(source[index]);

    public int Count => source.Count;

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < source.Count; i++) yield return project(source[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

internal static class ProjectedListExtensions
{
    public static IReadOnlyList<T> Projected<TSource, T>(this IReadOnlyList<TSource> source, Func<TSource, T> project) =>
        new ProjectedList<TSource, T>(source, project);
}
