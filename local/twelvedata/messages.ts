/** The provider's own error texts, verbatim where they are known (see TWELVEDATA.md), so clients parse the real thing. */

export interface ErrorBody {
  code: number;
  message: string;
  status: "error";
}

export function errorBody(code: number, message: string): ErrorBody {
  return { code, message, status: "error" };
}

export const BAD_API_KEY_MESSAGE =
  "**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/pricing. If you believe that everything is correct, you can contact us at https://twelvedata.com/contact/customer";

export function minuteLimitMessage(used: number, limit: number): string {
  return `You have run out of API credits for the current minute. ${used} API credits were used, with the current limit being ${limit}. Wait for the next minute or consider switching to a higher tier plan at https://twelvedata.com/pricing`;
}

export function dayLimitMessage(used: number, limit: number): string {
  return `You have run out of API credits for the day. ${used} API credits were used, with the current limit being ${limit}.`;
}

export function symbolNotFoundMessage(symbol: string): string {
  return `**symbol** not found: ${symbol}. Please specify it correctly according to API Documentation.`;
}

export const NO_DATA_MESSAGE = "No data is available on the specified dates. Try setting different start/end dates.";

export const DATA_NOT_FOUND_MESSAGE = "Data not found";

export const MISSING_SYMBOL_MESSAGE =
  "**symbol** parameter is missing or invalid. Please provide a valid symbol according to API documentation: https://twelvedata.com/docs#reference-data";

export const SERVER_ERROR_MESSAGE = "Internal server error. Please try again later.";

export function invalidParameterMessage(name: string, expected: string): string {
  return `**${name}** parameter is incorrect: ${expected}.`;
}

export function endpointNotFoundMessage(path: string): string {
  return `Endpoint not found: ${path}. Please check the API documentation at https://twelvedata.com/docs`;
}

/** What a gateway in front of the provider answers when the origin is down. */
export const GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
