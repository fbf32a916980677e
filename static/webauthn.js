// The WebAuthn ceremony for forms marked data-webauthn="create" or "get": asks the browser's
// authenticator with the options the server put in data-options (a single-use challenge), puts
// the JSON answer in the form's hidden "webauthn" field and posts the form. Nothing else runs.
/* global SimpleWebAuthnBrowser */
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.webauthn || form.dataset.answered) return;
  event.preventDefault();
  const optionsJSON = JSON.parse(form.dataset.options);
  const error = form.querySelector('.webauthn-error');
  try {
    const answer =
      form.dataset.webauthn === 'create'
        ? await SimpleWebAuthnBrowser.startRegistration({ optionsJSON })
        : await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
    form.elements.namedItem('webauthn').value = JSON.stringify(answer);
    form.dataset.answered = 'yes';
    form.submit();
  } catch (err) {
    if (!error) return;
    // Shown only now: an empty alert on every page would be noise to screen readers.
    error.textContent = `The security key did not answer (${err.name}). Try again.`;
    error.setAttribute('role', 'alert');
    error.hidden = false;
  }
});
