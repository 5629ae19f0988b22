/** `14:05:09`: times in lists, 24-hour so columns stay narrow and unambiguous. */
export const clockTime = (iso: string | Date): string =>
  new Date(iso).toLocaleTimeString(undefined, { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** `2026-11-28 14:05`: dates in headers, sortable and locale-neutral. */
export const dateTime = (iso: string | Date): string => {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
