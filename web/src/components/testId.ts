/** A stable hook for the browser tests, typed so it can be spread into any antd props. */
export const testId = (id: string) => ({ 'data-testid': id }) as Record<string, string>;
