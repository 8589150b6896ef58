// Progressive enhancement only: every form and link works without this file.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
