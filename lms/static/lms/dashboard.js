// A click on a chart's bar or point opens the ledger entries behind it.
// The charts are images to assistive technology (role="img"), which may hold
// no links; the table under each chart carries the same links for keyboards
// and screen readers.
document.addEventListener("click", function (event) {
    var figure = event.target.closest && event.target.closest(".lms-chart [data-href]");
    if (figure) {
        window.location.assign(figure.getAttribute("data-href"));
    }
});
